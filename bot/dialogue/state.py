"""The dialogue state of one session, kept as JSON in the SessionStore (never in memory)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.coordination import SessionStore

log = logging.getLogger("citizen_hub.dialogue")


class DialogueState(BaseModel):
    """Everything the bot remembers between two messages of one sender on one channel."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    # Service Q&A context
    service_id: str | None = None
    aspect: str | None = None
    district: str | None = None
    # Active form (case, subscribe, unsubscribe, complaint, rating, rating_comment,
    # handoff_offer, callback, message) and the slots it collected so far.
    form: str | None = None
    slots: dict[str, str] = {}
    # Payloads of the buttons in the last reply: "2" picks choices[1].
    choices: tuple[str, ...] = ()
    # A yes/no question waiting for an answer: handoff, subscribe, rating.
    pending: str | None = None
    misses: int = 0
    handoff_ticket: str | None = None
    verified_cases: tuple[str, ...] = ()
    # The last task completed (qa, case, complaint, handoff, ...) for the rating prompt.
    completed: str | None = None
    completed_service: str | None = None
    rated: bool = False
    last_intent: str | None = None

    def update(self, **changes: Any) -> DialogueState:
        return self.model_copy(update=changes)

    def without_form(self) -> DialogueState:
        return self.update(form=None, slots={}, pending=None)

    def reset_context(self) -> DialogueState:
        """Forget the service context and any form; keep what the session proved."""
        return DialogueState(
            handoff_ticket=self.handoff_ticket,
            verified_cases=self.verified_cases,
            completed=self.completed,
            completed_service=self.completed_service,
            rated=self.rated,
        )


class StateStore:
    def __init__(self, sessions: SessionStore, ttl_s: float) -> None:
        self._sessions = sessions
        self._ttl_s = ttl_s

    async def load(self, key: str) -> DialogueState:
        raw = await self._sessions.get(key)
        if raw is None:
            return DialogueState()
        try:
            return DialogueState.model_validate(raw)
        except ValidationError:
            log.warning("discarding unreadable dialogue state")
            return DialogueState()

    async def save(self, key: str, state: DialogueState) -> None:
        await self._sessions.set(key, state.model_dump(mode="json"), self._ttl_s)
