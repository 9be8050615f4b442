"""Case status (办件进度): case number, then verification, then status and history.

The answer to an unknown case and to a wrong secret is the same, and the lockout counts
failures per case and session whether the case exists or not, so nothing tells a guesser
which case numbers are real. Counters and locks live in the KeyValueStore (Redis-safe).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cases import CaseView, Verifier
from bot.dialogue import texts
from bot.dialogue.core import DialogueDeps, Outcome, Turn, is_other_request, say
from bot.dialogue.rules import (
    command_payload,
    find_case_no,
    find_id_number,
    find_id_suffix,
    find_mobile,
    has_digit_run,
    looks_like_code,
    without_case_numbers,
)
from bot.dialogue.state import DialogueState
from bot.dialogue.subscription import subscribe_verified
from bot.messages import Button, Reply
from bot.privacy import mask

log = logging.getLogger("citizen_hub.dialogue.case")
OWN_INTENTS = frozenset({"query_case_status", "subscribe_updates"})
_MAX_EVENTS = 5

STATUS_LABELS = {
    "received": "已受理",
    "accepted": "已受理",
    "submitted": "已提交",
    "reviewing": "审核中",
    "in_review": "审核中",
    "processing": "办理中",
    "supplement": "待补正材料",
    "approved": "审核通过",
    "rejected": "不予受理",
    "made": "已制证",
    "ready": "可领取",
    "shipped": "已寄出",
    "completed": "已办结",
    "closed": "已办结",
}


def _intent(state: DialogueState) -> str:
    return "subscribe_updates" if state.slots.get("goal") == "subscribe" else "query_case_status"


def case_no_of(turn: Turn, deps: DialogueDeps) -> str | None:
    value = turn.entity("case_no")
    if isinstance(value, str) and value:
        return value.upper()
    return find_case_no(turn.text, deps.case_no_pattern)


def secret_of(turn: Turn, deps: DialogueDeps) -> Verifier | str | None:
    """A verifier, ``bad_id`` (checksum fails), ``bad_format`` (digits of no known shape)."""
    text = without_case_numbers(turn.text, deps.case_no_pattern)
    value = turn.entity("id_number")
    number, invalid = find_id_number(text)
    if isinstance(value, str) or number:
        return Verifier("id", str(value if isinstance(value, str) else number))
    phone = turn.entity("phone")
    mobile = phone if isinstance(phone, str) else find_mobile(text)
    if mobile:
        return Verifier("phone", mobile)
    if invalid or turn.suspects("invalid_id_number"):
        return "bad_id"
    suffix = find_id_suffix(text)
    if suffix:
        return Verifier("id", suffix)
    return "bad_format" if has_digit_run(text) else None


async def start(
    turn: Turn, state: DialogueState, deps: DialogueDeps, goal: str = "status"
) -> Outcome:
    slots = {"goal": goal}
    case_no = case_no_of(turn, deps)
    intro = texts.SUBSCRIBE_NEEDS_CASE if goal == "subscribe" else ""
    new_state = state.without_form().update(form="case", slots=slots, misses=0)
    if case_no is None:
        return say(new_state, _intent(new_state), Reply(intro + texts.CASE_INTRO))
    return await _with_case_no(turn, new_state, deps, case_no, intro)


async def _with_case_no(
    turn: Turn, state: DialogueState, deps: DialogueDeps, case_no: str, intro: str = ""
) -> Outcome:
    state = state.update(slots={**state.slots, "case_no": case_no})
    if await _locked(deps, case_no, turn):
        return _locked_outcome(state, deps)
    secret = secret_of(turn, deps)
    if isinstance(secret, Verifier):
        return await verify(turn, state, deps, secret)
    return say(state, _intent(state), Reply(intro + texts.CASE_ASK_SECRET))


async def form(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome | None:
    """The case form: waits for a case number, then for the verification secret."""
    case_no = case_no_of(turn, deps)
    known = state.slots.get("case_no")
    if case_no and case_no != known:
        return await _with_case_no(turn, state, deps, case_no)
    if known is None:
        if looks_like_code(turn.text):
            return say(state, _intent(state), Reply(texts.CASE_BAD_NO))
        if is_other_request(turn, OWN_INTENTS):
            return None
        return say(state, _intent(state), Reply(texts.CASE_ASK_NO))
    secret = secret_of(turn, deps)
    if isinstance(secret, Verifier):
        return await verify(turn, state, deps, secret)
    if secret == "bad_id":
        return say(state, _intent(state), Reply(texts.CASE_BAD_ID))
    if secret == "bad_format":
        return say(state, _intent(state), Reply(texts.CASE_BAD_SECRET))
    if is_other_request(turn, OWN_INTENTS):
        return None
    return say(state, _intent(state), Reply(texts.CASE_ASK_SECRET))


async def subscribe_request(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    """订阅进度: straight away for a case verified in this session, else verify first."""
    explicit = turn.command.arg("case_no") if turn.command else case_no_of(turn, deps)
    case_no = explicit or (state.verified_cases[-1] if state.verified_cases else None)
    if case_no and case_no in state.verified_cases:
        return await subscribe_verified(turn, state.without_form(), deps, case_no)
    return await start(turn, state, deps, goal="subscribe")


def _keys(case_no: str, turn: Turn) -> tuple[str, str]:
    who = turn.message.session_key
    return f"case:fail:{case_no}:{who}", f"case:lock:{case_no}:{who}"


async def _locked(deps: DialogueDeps, case_no: str, turn: Turn) -> bool:
    return await deps.kv.get(_keys(case_no, turn)[1]) is not None


def _locked_outcome(state: DialogueState, deps: DialogueDeps) -> Outcome:
    minutes = max(1, deps.config.verification_lock_s // 60)
    text = texts.CASE_LOCKED.format(minutes=minutes)
    return say(state.without_form(), _intent(state), Reply(text))


async def verify(turn: Turn, state: DialogueState, deps: DialogueDeps, secret: Verifier) -> Outcome:
    case_no = state.slots["case_no"]
    fail_key, lock_key = _keys(case_no, turn)
    if await deps.kv.get(lock_key) is not None:
        return _locked_outcome(state, deps)
    case = await deps.cases.verify(case_no, secret)
    if case is None:
        return await _failed(turn, state, deps, case_no)
    await deps.kv.delete(fail_key)
    log.info("case verified case=%s sender=%s", case_no, mask(turn.message.sender))
    verified = (*[c for c in state.verified_cases if c != case_no], case_no)
    new_state = state.without_form().update(
        verified_cases=verified[-5:], completed="case", completed_service=case.service_id
    )
    if state.slots.get("goal") == "subscribe":
        return await subscribe_verified(turn, new_state, deps, case_no)
    return _status_outcome(case, new_state, deps)


async def _failed(turn: Turn, state: DialogueState, deps: DialogueDeps, case_no: str) -> Outcome:
    fail_key, lock_key = _keys(case_no, turn)
    lock_s = deps.config.verification_lock_s
    failures = await deps.kv.incr(fail_key, lock_s)
    log.info(
        "case verification failed case=%s sender=%s failures=%d",
        case_no,
        mask(turn.message.sender),
        failures,
    )
    if failures >= deps.config.verification_attempts:
        await deps.kv.set(lock_key, "1", lock_s)
        await deps.kv.delete(fail_key)
        return _locked_outcome(state, deps)
    left = deps.config.verification_attempts - failures
    return say(state, _intent(state), Reply(texts.CASE_FAILED.format(left=left)))


def _status_outcome(case: CaseView, state: DialogueState, deps: DialogueDeps) -> Outcome:
    tz = ZoneInfo(deps.config.timezone)
    offer = Reply(
        texts.CASE_SUBSCRIBE_OFFER,
        (
            Button("订阅进度提醒", command_payload("subscribe", case_no=case.case_no)),
            Button("不用了", command_payload("deny")),
        ),
    )
    status = Reply(status_text(case, tz, deps.config.max_reply_chars))
    return say(state.update(pending="subscribe"), "query_case_status", status, offer)


def status_label(status: str, text: str | None) -> str:
    return text or STATUS_LABELS.get(status.lower(), status)


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


def status_text(case: CaseView, tz: ZoneInfo, limit: int) -> str:
    head = [f"办件编号：{case.case_no}"]
    if case.service_name:
        head.append(f"办理事项：{case.service_name}")
    head.append(f"当前状态：{status_label(case.status, case.status_text)}")
    lines = [
        f"{_when(e.occurred_at, tz)} {STATUS_LABELS.get(e.status.lower(), e.status)}"
        + (f"：{e.note}" if e.note else "")
        for e in case.events[-_MAX_EVENTS:]
    ]
    text = "\n".join(head)
    history = "\n办理记录："
    for line in reversed(lines):  # newest first, as many as fit
        candidate = f"{history}\n{line}"
        if len(text) + len(candidate) > limit:
            break
        history = candidate
    return text + history if history != "\n办理记录：" else text
