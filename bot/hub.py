"""The hub: one message in, replies out, serialised per sender."""

from __future__ import annotations

import logging
import time
from typing import Protocol

from bot.coordination import LockManager
from bot.messages import InboundMessage, Reply
from bot.metrics import Metrics
from bot.privacy import mask

log = logging.getLogger("citizen_hub.hub")


class Policy(Protocol):
    """Decides the replies to one message (the dialogue layer implements this)."""

    async def respond(self, message: InboundMessage) -> tuple[list[Reply], str]:
        """Return the replies and the intent name used for metrics."""
        ...


class Hub:
    def __init__(
        self, policy: Policy, locks: LockManager, metrics: Metrics, lock_timeout_s: float = 30.0
    ) -> None:
        self._policy = policy
        self._locks = locks
        self._metrics = metrics
        self._lock_timeout_s = lock_timeout_s

    async def handle(self, message: InboundMessage) -> list[Reply]:
        """Answer one message; two messages from one sender never interleave."""
        started = time.perf_counter()
        async with self._locks.lock(f"sender:{message.session_key}", self._lock_timeout_s):
            replies, intent = await self._policy.respond(message)
        elapsed = time.perf_counter() - started
        self._metrics.count_message(message.channel, intent, elapsed)
        if log.isEnabledFor(logging.INFO):
            log.info(
                "handled channel=%s sender=%s intent=%s replies=%d ms=%.1f",
                message.channel,
                mask(message.sender),
                intent,
                len(replies),
                elapsed * 1000,
            )
        return replies
