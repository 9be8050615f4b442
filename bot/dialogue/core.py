"""Shared dialogue types: the collaborators (``DialogueDeps``), one understood message
(``Turn``) and what a flow decides (``Outcome``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.answer import CatalogueAnswerer
from bot.cases import CaseRepository, SubscriptionRepository
from bot.config import DialogueConfig
from bot.coordination import KeyValueStore
from bot.dialogue.hours import ServiceHours
from bot.dialogue.memo import KnowledgeFacts
from bot.dialogue.rules import Command, choice_index, parse_command
from bot.dialogue.state import DialogueState
from bot.handoff import HandoffQueue
from bot.messages import InboundMessage, Reply
from bot.ratings import RatingRepository
from bot.tickets import TicketRepository
from intents.types import ASPECT_BY_INTENT, IntentScore, Parse, Understanding
from knowledge.base import KnowledgeBase
from knowledge.search import SearchHit

Clock = Callable[[], datetime]

_INTENT_BY_ASPECT = {aspect: intent for intent, aspect in ASPECT_BY_INTENT.items()}
_INTENT_BY_ASPECT["locations"] = "ask_location"
COMMAND_INTENTS = {
    "choose": "choose_service",
    "rate": "rate_service",
    "subscribe": "subscribe_updates",
    "unsubscribe": "unsubscribe",
    "handoff_option": "handoff_option",
}


@dataclass(frozen=True)
class DialogueDeps:
    config: DialogueConfig
    case_no_pattern: str
    kb: KnowledgeBase
    facts: KnowledgeFacts  # the kb's per-text answers, memoised
    answerer: CatalogueAnswerer
    understanding: Understanding
    cases: CaseRepository
    subscriptions: SubscriptionRepository
    tickets: TicketRepository
    ratings: RatingRepository
    queue: HandoffQueue
    kv: KeyValueStore
    hours: ServiceHours
    clock: Clock


@dataclass(frozen=True)
class Turn:
    """One citizen message, understood: NLU parse, picked option, catalogue hits."""

    message: InboundMessage
    text: str
    parse: Parse
    command: Command | None = None
    hits: tuple[SearchHit, ...] = ()

    @property
    def intent(self) -> str:
        return self.parse.intent.name

    @property
    def confidence(self) -> float:
        return self.parse.intent.confidence

    def entity(self, name: str) -> Any | None:
        return self.parse.first(name)

    def suspects(self, kind: str) -> bool:
        """Whether the NLU saw something like ``kind`` that failed validation."""
        if self.parse.first(kind) is not None:
            return True
        items = self.parse.extras.get("suspects", ())
        return any(isinstance(i, dict) and i.get("kind") == kind for i in items)

    def with_intent(self, name: str) -> Turn:
        score = IntentScore(name, 1.0)
        return replace(self, parse=replace(self.parse, intent=score))


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...]
    state: DialogueState
    intent: str

    def with_reply(self, reply: Reply) -> Outcome:
        return replace(self, replies=(*self.replies, reply))

    def prefixed(self, replies: Sequence[Reply]) -> Outcome:
        return replace(self, replies=(*replies, *self.replies)) if replies else self


Flow = Callable[[Turn, DialogueState, DialogueDeps], Awaitable[Outcome]]
Form = Callable[[Turn, DialogueState, DialogueDeps], Awaitable[Outcome | None]]


def say(state: DialogueState, intent: str, *replies: Reply) -> Outcome:
    return Outcome(tuple(replies), state, intent)


def _command_parse(text: str, command: Command) -> Parse:
    if command.name == "aspect":
        aspect = command.arg("aspect") or "general"
        name = _INTENT_BY_ASPECT.get(aspect, "ask_general")
        return Parse(text, IntentScore(name, 1.0), ranking=(IntentScore(name, 1.0),), aspect=aspect)
    name = COMMAND_INTENTS.get(command.name, command.name)
    return Parse(text, IntentScore(name, 1.0), ranking=(IntentScore(name, 1.0),))


async def build_turn(message: InboundMessage, state: DialogueState, deps: DialogueDeps) -> Turn:
    """Resolve a picked option ("2" -> the second button's payload), then parse and search."""
    text = message.text.strip()
    index = choice_index(text) if state.choices else None
    if index is not None and index < len(state.choices):
        text = state.choices[index]
    command = parse_command(text)
    if command is not None:
        return Turn(message, text, _command_parse(text, command), command)
    parse = await deps.understanding.parse(text)
    hits = deps.facts.search(text, k=5)
    return Turn(message, text, parse, None, hits)


# Intents that carry no request of their own: never a reason to leave a form.
_WEAK_INTENTS = frozenset({"nlu_fallback", "out_of_scope", "affirm", "deny", "greet"})
ESCAPE_CONFIDENCE = 0.6


def is_other_request(turn: Turn, own: frozenset[str]) -> bool:
    """Whether the citizen clearly asks for something else than the form waits for."""
    if turn.command is not None:
        return turn.intent not in own
    if turn.intent in own or turn.intent in _WEAK_INTENTS:
        return False
    return turn.confidence >= ESCAPE_CONFIDENCE
