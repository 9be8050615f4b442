"""Value types passed to and returned by senders."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    SENT = "sent"
    """Accepted by the provider; receipts will follow (``provider_ref`` is set)."""
    RETRY = "retry"
    FAILED = "failed"
    OPTED_OUT = "opted_out"


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one recipient on one channel."""

    to: str
    body: str
    reference: str | None = None
    """Our notification id, for logs and correlation (never sent to the citizen)."""


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    provider_ref: str | None = None
    error: str | None = None
    retry_after_s: float | None = None
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SENT
