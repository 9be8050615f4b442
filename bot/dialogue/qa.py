"""Service questions with context: follow-ups keep the service, a district picks the office,
close candidates get a numbered clarification, a clearly new service replaces the context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.dialogue import texts
from bot.dialogue.core import DialogueDeps, Outcome, Turn, say
from bot.dialogue.memo import MAX_CHARS
from bot.dialogue.rules import command_payload, compact, parse_command
from bot.dialogue.state import DialogueState
from bot.messages import Button, Reply
from knowledge.districts import short_form
from knowledge.schema import Service
from knowledge.search import SearchHit

# Below this search confidence the best hit is offered, not asserted.
LOW_CONFIDENCE = 0.3
# Words that carry no service: question words, aspect cues, pronouns, particles.
_FILLER = re.compile(
    "|".join(
        (
            "请问|麻烦|你好|您好|我想|我要|想要|需要|可以|可不可以|能不能|能否|是否|怎么样|怎么|如何",
            "多少钱|多少|收费|收不收费|费用|免费|要钱|花钱|交钱|价格|几多钱",
            "带什么|带啥|带些|准备|材料|资料|证件|什么|啥|哪些|东西",
            "多久|几天|多长时间|时间|时限|期限|几个工作日|工作日|要等|拿到|出证",
            "在哪里|在哪儿|在哪|哪里|哪儿|去哪|地址|地点|窗口|大厅|办事处|附近|最近",
            "几点|上班|下班|周末|周六|周日|节假日|营业|开门|关门|开放",
            "流程|步骤|手续|程序|条件|要求|资格|网上|在线|线上|手机上|电话|热线|号码|预约",
            "本人|代办|代理|别人|家人|亲属|委托|自己|一起|顺便",
            "那么|那个|这个|那|这|也|还|再|都|就|又|呢|吗|嘛|么|吧|啊|呀|哦|嗯|的|了|得|地|着",
            "办理|办|能|会|要|去|到|用|在|给|帮|我|你|您|他|她|是|有|没|不|一下|下|个|些|点|哪",
        )
    )
)


def aspect_intent(aspect: str) -> str:
    return {"locations": "ask_location", "general": "ask_general"}.get(aspect, f"ask_{aspect}")


ASPECT_LABELS = {
    "materials": "所需材料",
    "fee": "收费标准",
    "time_limit": "办理时限",
    "locations": "办理地点",
    "conditions": "申请条件",
    "process": "办理流程",
    "online": "网上办理方式",
}
_NON_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z]")


@dataclass(frozen=True)
class Pick:
    kind: str  # answer | close (near-equal candidates) | unsure (weak best hit) | none
    services: tuple[Service, ...] = ()


def residual(text: str, districts: tuple[str, ...]) -> str:
    """The text without districts, question words and cues: what may name a service."""
    if len(text) > MAX_CHARS:
        return _residual(text, districts)
    return _residual_cached(text, districts)


def _residual(text: str, districts: tuple[str, ...]) -> str:
    flat = compact(text)
    for district in districts:
        flat = flat.replace(district, "")
        short = short_form(district)
        if short:
            flat = flat.replace(short, "")
    return _NON_WORD.sub("", _FILLER.sub("", flat))


# A pure function of its arguments, asked for more than once per turn.
_residual_cached = lru_cache(maxsize=4096)(_residual)


def close_hits(hits: tuple[SearchHit, ...], margin: float) -> list[SearchHit]:
    if not hits:
        return []
    floor = hits[0].score * (1.0 - margin)
    return [h for h in hits if h.score >= floor]


def _offered(state: DialogueState) -> list[str]:
    """Service ids of the clarification options in the last reply."""
    out = []
    for payload in state.choices:
        command = parse_command(payload)
        if command is not None and command.name == "choose" and command.arg("service_id"):
            out.append(str(command.arg("service_id")))
    return out


def _named_service(turn: Turn, deps: DialogueDeps) -> Service | None:
    """A service the NLU tagged by its exact name or alias."""
    value = turn.entity("service")
    return deps.facts.service_named(value) if isinstance(value, str) else None


def _asks_something(turn: Turn, detected: str, district: str | None) -> bool:
    if district or turn.intent.startswith("ask_"):
        return True
    return detected != "general" or turn.text.rstrip("？?").endswith("呢")


def pick_service(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Pick:
    context = deps.kb.get(state.service_id) if state.service_id else None
    named = _named_service(turn, deps)
    if named is not None:
        return Pick("answer", (named,))
    rest = residual(turn.text, deps.kb.districts)
    hits = turn.hits if len(rest) >= 2 else ()
    close = close_hits(hits, deps.config.clarify_margin)
    offered = [h for h in close if h.service.id in _offered(state)]
    if offered:
        return Pick("answer", (offered[0].service,))
    if context is not None:
        in_close = any(h.service.id == context.id for h in close)
        if not hits or in_close or not deps.facts.search(rest, k=1):
            return Pick("answer", (context,))
    if not close:
        return Pick("none")
    if close[0].confidence < LOW_CONFIDENCE:
        return Pick("unsure", tuple(h.service for h in hits[:3]))
    if len(close) > 1:
        return Pick("close", tuple(h.service for h in close[:3]))
    return Pick("answer", (close[0].service,))


def resolve_aspect(turn: Turn, state: DialogueState, aspect: str, same: bool) -> tuple[str, bool]:
    """The aspect asked (``aspect``: the catalogue's rule-based detection), and whether it was
    carried over from the previous question."""
    if aspect != "general":
        return aspect, False
    if not same and state.aspect:
        if state.service_id is None or turn.text.rstrip("？?").endswith("呢"):
            # "要带什么材料" -> "护照": the aspect waited for a service; "那驾驶证呢" asks the
            # previous question again about another service.
            return state.aspect, True
    if turn.parse.aspect and turn.confidence >= 0.5:
        return turn.parse.aspect, False
    return aspect, False


def resolve_district(turn: Turn, deps: DialogueDeps) -> str | None:
    value = turn.entity("district")
    if isinstance(value, str) and value in deps.kb.districts:
        return value
    return deps.facts.find_district(turn.text)


async def answer_question(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    pick = pick_service(turn, state, deps)
    district = resolve_district(turn, deps)
    if pick.kind == "none":
        return _no_service(turn, state, deps, district)
    same = pick.services[0].id == state.service_id
    detected = deps.facts.detect_aspect(turn.text)
    if same and not turn.hits and not _asks_something(turn, detected, district):
        return fallback(turn, state, deps)
    aspect, carried = resolve_aspect(turn, state, detected, same)
    if district is None and (same or carried):
        district = state.district
    if aspect == "general" and district and same:
        aspect = "locations"
    if pick.kind == "unsure" or (pick.kind == "close" and aspect == "general" and not district):
        return clarify(pick.services, aspect, district, state)
    intent = turn.intent if turn.intent.startswith("ask_") else aspect_intent(aspect)
    outcome = answer_service(pick.services[0], aspect, district, state, deps, intent)
    if pick.kind == "close":
        # A precise question about one of several similar services: answer the best match
        # and offer the others, rather than make the citizen choose first.
        return outcome.with_reply(Reply(texts.SUGGEST, _choose_buttons(pick.services[1:])))
    return outcome


def _no_service(
    turn: Turn, state: DialogueState, deps: DialogueDeps, district: str | None
) -> Outcome:
    """A question without a service ("要带什么材料"): ask which one, keep the aspect."""
    aspect, _ = resolve_aspect(turn, state, deps.facts.detect_aspect(turn.text), False)
    chit_chat = turn.intent == "out_of_scope" and turn.confidence >= 0.6
    if chit_chat or (aspect == "general" and district is None):
        return fallback(turn, state, deps)
    label = ASPECT_LABELS.get(aspect, "办理信息")
    text = texts.ASK_WHICH_SERVICE.format(label=label)
    new_state = state.reset_context().update(aspect=aspect, district=district)
    return say(new_state, "ask_which_service", Reply(text))


def answer_service(
    service: Service,
    aspect: str,
    district: str | None,
    state: DialogueState,
    deps: DialogueDeps,
    intent: str,
) -> Outcome:
    reply = deps.answerer.answer_service(service, aspect, district)
    new_state = state.without_form().update(
        service_id=service.id,
        aspect=aspect,
        district=district,
        misses=0,
        completed="qa",
        completed_service=service.id,
    )
    return say(new_state, intent, reply)


def _choose_buttons(services: tuple[Service, ...]) -> tuple[Button, ...]:
    return tuple(Button(s.name, command_payload("choose", service_id=s.id)) for s in services)


def clarify(
    services: tuple[Service, ...], aspect: str, district: str | None, state: DialogueState
) -> Outcome:
    buttons = _choose_buttons(services)
    # The best candidate stands in as context, so "那要多少钱" still gets an answer.
    new_state = state.without_form().update(
        service_id=services[0].id, aspect=aspect, district=district, misses=0
    )
    return say(new_state, "clarify", Reply(texts.CLARIFY, buttons))


async def choose(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    service_id = turn.command.arg("service_id") if turn.command else None
    service = deps.kb.get(service_id) if service_id else None
    if service is None:
        return fallback(turn, state, deps)
    aspect = state.aspect or "general"
    return answer_service(service, aspect, state.district, state, deps, "choose_service")


def popular_services(deps: DialogueDeps) -> list[Service]:
    configured = [deps.kb.get(i) for i in deps.config.popular_services]
    found = [s for s in configured if s is not None]
    if found:
        return found[:3]
    seen: dict[str, Service] = {}
    for service in deps.kb.catalogue.services:
        seen.setdefault(service.category, service)
    return list(seen.values())[:3]


def fallback(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    misses = state.misses + 1
    if misses >= 2:
        offer = (
            Button("转人工", command_payload("request_human")),
            Button("换个问题", "换个问题"),
        )
        new_state = state.without_form().update(misses=misses, pending="handoff")
        return say(new_state, "fallback", Reply(texts.TRY_AGAIN_THEN_HUMAN, offer))
    popular = _choose_buttons(tuple(popular_services(deps)))
    buttons = (*popular, Button("转人工", command_payload("request_human")))
    text = f"{texts.NOT_UNDERSTOOD}{texts.CAPABILITIES}{texts.POPULAR}"
    return say(state.without_form().update(misses=misses), "fallback", Reply(text, buttons))
