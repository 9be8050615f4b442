"""Complaints and suggestions (投诉建议): what happened, where, an optional contact -> ticket."""

from __future__ import annotations

import logging
import re

from bot.dialogue import qa, texts
from bot.dialogue.core import DialogueDeps, Outcome, Turn, is_other_request, say
from bot.dialogue.qa import resolve_district
from bot.dialogue.rules import compact, find_mobile, wants_skip
from bot.dialogue.state import DialogueState
from bot.messages import Reply
from bot.privacy import mask
from bot.tickets import NewTicket

log = logging.getLogger("citizen_hub.dialogue.complaint")
_TRIGGER = re.compile(
    "我要|我想|想要|要|我|投诉|举报|反映|反馈|建议|意见|提个|提|一下|下|个|问题|情况|吐槽|有"
)
# A first message this long (after the trigger words) already says what happened.
_MIN_CONTENT = 6


def _phone_of(turn: Turn) -> str | None:
    value = turn.entity("phone")
    return value if isinstance(value, str) else find_mobile(turn.text)


def _content_in(text: str) -> bool:
    return len(_TRIGGER.sub("", compact(text))) >= _MIN_CONTENT


async def start(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    slots: dict[str, str] = {}
    if turn.command is None and _content_in(turn.text):
        slots["content"] = turn.text
        district = resolve_district(turn, deps)
        if district:
            slots["location"] = district
        phone = _phone_of(turn)
        if phone:
            slots["contact"] = phone
    new_state = state.without_form().update(form="complaint", slots=slots, misses=0)
    return await _next(turn, new_state, deps)


async def form(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome | None:
    if turn.command is not None:
        return None  # a button from an earlier reply: handle it normally
    slots = dict(state.slots)
    if _asks_service(turn):
        return await _leave_form(turn, state, slots, deps)
    if "content" not in slots:
        slots["content"] = turn.text
        phone = _phone_of(turn)
        if phone:
            slots["contact"] = phone
    elif "location" not in slots:
        district = resolve_district(turn, deps)
        slots["location"] = turn.text
        if district:
            slots["district"] = district
    elif "contact" not in slots:
        phone = _phone_of(turn)
        if phone is None and not wants_skip(turn.text):
            return say(state, "complaint", Reply(texts.COMPLAINT_BAD_CONTACT))
        slots["contact"] = phone or ""
    return await _next(turn, state.update(slots=slots), deps)


def _asks_service(turn: Turn) -> bool:
    """A confident service question (办残疾证要带什么) rather than complaint details."""
    return (
        bool(turn.hits)
        and turn.intent.startswith("ask_")
        and is_other_request(turn, frozenset({"complaint"}))
    )


async def _leave_form(
    turn: Turn, state: DialogueState, slots: dict[str, str], deps: DialogueDeps
) -> Outcome | None:
    """The citizen moved on to a service question. What they already said about the
    complaint is filed (the missing parts left empty), then the question is answered:
    neither is lost. With nothing said yet, the form is simply dropped."""
    if "content" not in slots:
        return None
    filed = await _create(turn, state.update(slots={"location": "", "contact": "", **slots}), deps)
    answer = await qa.answer_question(turn, filed.state, deps)
    return answer.prefixed(filed.replies)


async def _next(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    slots = state.slots
    if "content" not in slots:
        return say(state, "complaint", Reply(texts.COMPLAINT_ASK_WHAT))
    if "location" not in slots:
        return say(state, "complaint", Reply(texts.COMPLAINT_ASK_WHERE))
    if "contact" not in slots:
        return say(state, "complaint", Reply(texts.COMPLAINT_ASK_CONTACT))
    return await _create(turn, state, deps)


async def _create(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    slots = state.slots
    contact = slots.get("contact") or None
    details = {"district": slots["district"]} if slots.get("district") else {}
    ticket = await deps.tickets.create(
        NewTicket(
            kind="complaint",
            channel=turn.message.channel,
            sender=turn.message.sender,
            summary=slots["content"],
            location=slots["location"],
            contact=contact,
            service_id=state.service_id,
            details=details,
        )
    )
    log.info("complaint ticket=%s sender=%s", ticket.ticket_no, mask(turn.message.sender))
    follow = (
        texts.COMPLAINT_FOLLOW_CONTACT.format(contact=texts.mask_phone(contact))
        if contact
        else texts.COMPLAINT_FOLLOW_NONE
    )
    text = texts.COMPLAINT_DONE.format(ticket_no=ticket.ticket_no, follow_up=follow)
    new_state = state.without_form().update(completed="complaint")
    return say(new_state, "complaint", Reply(text))
