"""The dialogue policy: one message in, replies out, state kept in the SessionStore.

Order of decisions for each message:
1. channel events (WeChat follow -> welcome) and empty messages; an event with text (a
   WeChat menu click) is handled as that text;
2. an active handoff: relay to the agent queue, no NLU, no bot answer;
3. understand: a digit picks an option of the last reply, button payloads are commands,
   else the NLU parse plus a catalogue search;
4. fixed keywords: 转人工, 换个问题, 结束人工;
5. the active form (case status, complaint, rating, call-back ...) takes the message when it
   fits what the form waits for (a case number pattern beats any intent), else it is dropped;
6. the answer to a pending yes/no question;
7. the intent, cross-checked with the catalogue (a social intent with a clear service
   mention is a service question; a case number means case status), else service Q&A.
"""

from __future__ import annotations

import logging

from bot.dialogue import (
    case_flow,
    complaint,
    handoff_flow,
    qa,
    rating,
    smalltalk,
    subscription,
    texts,
)
from bot.dialogue.core import DialogueDeps, Flow, Form, Outcome, Turn, build_turn, say
from bot.dialogue.fit import fit_replies
from bot.dialogue.rules import has_any, wants_cancel, wants_end_handoff, wants_handoff, wants_reset
from bot.dialogue.state import DialogueState, StateStore
from bot.messages import InboundMessage, Reply

log = logging.getLogger("citizen_hub.dialogue")

FORMS: dict[str, Form] = {
    "case": case_flow.form,
    "complaint": complaint.form,
    "rating": rating.form,
    "rating_comment": rating.comment_form,
    "handoff_offer": handoff_flow.offer_form,
    "message": handoff_flow.message_form,
    "callback": handoff_flow.callback_form,
}


async def _handoff_option(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    outcome = await handoff_flow.offer_form(turn, state, deps)
    return outcome or await smalltalk.acknowledge(turn, state, deps)


INTENTS: dict[str, Flow] = {
    "greet": smalltalk.greet,
    "thanks": smalltalk.thanks,
    "goodbye": smalltalk.goodbye,
    "affirm": smalltalk.acknowledge,
    "deny": smalltalk.acknowledge,
    "query_case_status": case_flow.start,
    "subscribe_updates": case_flow.subscribe_request,
    "unsubscribe": subscription.unsubscribe,
    "complaint": complaint.start,
    "request_human": handoff_flow.start,
    "rate_service": rating.start,
    "choose_service": qa.choose,
    "handoff_option": _handoff_option,
}
_SOCIAL = frozenset(
    {"greet", "thanks", "goodbye", "affirm", "deny", "nlu_fallback", "out_of_scope"}
)
_NOT_CASE = frozenset({"subscribe_updates", "unsubscribe", "complaint"})
# A task intent this unsure, for a text that names a service, is read as a service question.
_UNSURE = 0.5


def resolve_intent(turn: Turn, deps: DialogueDeps) -> str:
    """The NLU intent, corrected by deterministic evidence."""
    if turn.command is not None:
        return turn.intent
    if has_any(turn.text, ("取消订阅", "退订提醒", "不要提醒", "取消提醒")):
        return "unsubscribe"
    if has_any(turn.text, ("订阅",)):
        return "subscribe_updates"
    if turn.intent not in _NOT_CASE and case_flow.case_no_of(turn, deps):
        return "query_case_status"
    names_service = bool(turn.hits) and len(qa.residual(turn.text, deps.kb.districts)) >= 2
    if names_service and not turn.intent.startswith("ask_"):
        if turn.intent in _SOCIAL or turn.confidence < _UNSURE:
            return "ask_general"
    return turn.intent


class DialoguePolicy:
    """Implements ``bot.hub.Policy``."""

    def __init__(self, deps: DialogueDeps, store: StateStore) -> None:
        self.deps = deps
        self._store = store

    async def respond(self, message: InboundMessage) -> tuple[list[Reply], str]:
        state = await self._store.load(message.session_key)
        outcome = await self._decide(message, state)
        replies = fit_replies(outcome.replies, self.deps.config.max_reply_chars)
        buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
        final = outcome.state.update(
            choices=tuple(b.payload for b in buttons),
            last_intent=outcome.intent,
            misses=outcome.state.misses if outcome.intent == "fallback" else 0,
        )
        await self._store.save(message.session_key, final)
        return replies, outcome.intent

    async def _decide(self, message: InboundMessage, state: DialogueState) -> Outcome:
        event = str(message.metadata.get("event") or "").lower()
        if event == "subscribe":
            return smalltalk.welcome(state.reset_context())
        if not message.text.strip():  # other events (unsubscribe ...) need no answer
            return say(state, "event" if event else "empty", *self._empty(event))
        prefix: tuple[Reply, ...] = ()
        if state.handoff_ticket:
            relay = await handoff_flow.relay(message, state, self.deps)
            if relay.outcome is not None:
                return relay.outcome
            prefix, state = relay.prefix, relay.state
        turn = await build_turn(message, state, self.deps)
        outcome = await self._route(turn, state)
        return outcome.prefixed(prefix)

    @staticmethod
    def _empty(event: str) -> tuple[Reply, ...]:
        return () if event else (Reply(texts.GREETING),)

    async def _route(self, turn: Turn, state: DialogueState) -> Outcome:
        keyword = await self._keywords(turn, state)
        if keyword is not None:
            return keyword
        if state.form:
            if turn.command is None and wants_cancel(turn.text):
                return say(state.without_form(), "cancel", Reply(texts.CANCELLED))
            handled = await FORMS[state.form](turn, state, self.deps)
            if handled is not None:
                return handled
            state = state.without_form()
        pending, state = state.pending, state.update(pending=None)
        if pending and turn.intent in ("affirm", "deny"):
            return await self._answer_pending(pending, turn, state)
        intent = resolve_intent(turn, self.deps)
        if intent != turn.intent:
            turn = turn.with_intent(intent)
        flow = INTENTS.get(intent, qa.answer_question)
        return await flow(turn, state, self.deps)

    async def _keywords(self, turn: Turn, state: DialogueState) -> Outcome | None:
        if turn.command is not None:
            return None
        if wants_handoff(turn.text):
            return await handoff_flow.start(turn, state, self.deps)
        if wants_reset(turn.text):
            return say(state.reset_context(), "reset", Reply(texts.RESET))
        if wants_end_handoff(turn.text):
            return say(state.without_form(), "end_handoff", Reply(texts.NOT_IN_HANDOFF))
        return None

    async def _answer_pending(self, pending: str, turn: Turn, state: DialogueState) -> Outcome:
        if turn.intent == "deny":
            return await smalltalk.acknowledge(turn, state, self.deps)
        if pending == "handoff":
            return await handoff_flow.start(turn, state, self.deps)
        if pending == "subscribe":
            return await case_flow.subscribe_request(turn, state, self.deps)
        return await smalltalk.acknowledge(turn, state, self.deps)
