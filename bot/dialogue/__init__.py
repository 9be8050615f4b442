"""The dialogue layer: multi-turn conversations that finish a citizen's task.

``build_dialogue`` wires the policy and the records it needs; ``bot/app.py`` calls it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer import CatalogueAnswerer
from bot.cases import CaseRepository, SubscriptionRepository
from bot.config import Config
from bot.coordination import Coordination
from bot.db import Database
from bot.dialogue.core import Clock, DialogueDeps
from bot.dialogue.hours import ServiceHours
from bot.dialogue.memo import KnowledgeFacts
from bot.dialogue.policy import DialoguePolicy
from bot.dialogue.state import StateStore
from bot.handoff import AgentPresence, HandoffQueue
from bot.ratings import RatingRepository
from bot.tickets import TicketRepository, utc_clock
from intents.types import Understanding
from knowledge.base import KnowledgeBase


@dataclass(frozen=True)
class DialogueParts:
    policy: DialoguePolicy
    tickets: TicketRepository
    cases: CaseRepository
    subscriptions: SubscriptionRepository
    ratings: RatingRepository
    handoff: HandoffQueue


def build_dialogue(
    config: Config,
    db: Database,
    coordination: Coordination,
    kb: KnowledgeBase,
    understanding: Understanding,
    clock: Clock = utc_clock,
) -> DialogueParts:
    dc = config.dialogue
    hours = ServiceHours(dc.service_hours, dc.service_days, dc.timezone)
    tickets = TicketRepository(db, hours.tz, clock)
    presence = AgentPresence(coordination.kv, coordination.locks, dc.agent_presence_ttl_s)
    queue = HandoffQueue(tickets, presence)
    deps = DialogueDeps(
        config=dc,
        case_no_pattern=config.nlu.case_no_pattern,
        kb=kb,
        facts=KnowledgeFacts(kb),
        answerer=CatalogueAnswerer(kb, dc.max_reply_chars),
        understanding=understanding,
        cases=CaseRepository(db),
        subscriptions=SubscriptionRepository(db),
        tickets=tickets,
        ratings=RatingRepository(db),
        queue=queue,
        kv=coordination.kv,
        hours=hours,
        clock=clock,
    )
    policy = DialoguePolicy(deps, StateStore(coordination.sessions, dc.session_ttl_s))
    return DialogueParts(policy, tickets, deps.cases, deps.subscriptions, deps.ratings, queue)


__all__ = ["DialogueParts", "DialoguePolicy", "build_dialogue"]
