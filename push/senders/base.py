"""The sender template method: ``Sender.send`` owns everything but talking to the provider.

Shape taken from GOV.UK Notify (alphagov/notifications-api ``app/clients/sms``): the base
class times the call, logs it (recipient masked), counts it and maps failures to a typed
``SendResult``; each provider module implements only ``_try_send`` and raises the typed
errors of ``push.senders.errors``. Unlike Notify there are no global clients: every sender
gets its dependencies (opt-out store, metrics on an app registry) in its constructor.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from typing import ClassVar, Protocol

import aiohttp
from prometheus_client import CollectorRegistry, Counter, Histogram

from bot.privacy import mask, mask_text
from push.senders.errors import PermanentFailure, RecipientOptedOut, RetryLater, SendError
from push.senders.types import OutboundMessage, Outcome, SendResult

log = logging.getLogger("citizen_hub.push.sender")


class OptOutChecker(Protocol):
    async def is_opted_out(self, channel: str, address: str) -> bool: ...


class OptOutRecorder(Protocol):
    async def record_opt_out(self, channel: str, address: str, reason: str) -> None: ...


class SenderMetrics:
    """Counters shared by every sender of one app; build once per registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.sends = Counter(
            "push_sender_sends",
            "Outbound sends by outcome",
            ["channel", "provider", "outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "push_sender_send_seconds",
            "Time spent in the provider call",
            ["channel", "provider"],
            registry=registry,
        )


class Sender(ABC):
    """Send one ``OutboundMessage``; subclasses set ``channel``/``provider`` and ``_try_send``."""

    channel: ClassVar[str]
    provider: ClassVar[str]

    def __init__(
        self,
        *,
        opt_outs: OptOutChecker,
        metrics: SenderMetrics,
        on_opt_out: OptOutRecorder | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self._opt_outs = opt_outs
        self._metrics = metrics
        self._on_opt_out = on_opt_out
        self._timeout_s = timeout_s

    def address_of(self, message: OutboundMessage) -> str:
        """The canonical recipient address (used for opt-outs and for the provider)."""
        return message.to.strip()

    @abstractmethod
    async def _try_send(self, message: OutboundMessage) -> str:
        """Hand the message to the provider and return its reference (message id).

        ``message.to`` is already canonical (``address_of``). Raise ``RetryLater``,
        ``PermanentFailure`` or ``RecipientOptedOut``; network errors and timeouts may
        propagate as they are (the template maps them to ``RetryLater``).
        """

    async def aclose(self) -> None:
        """Release provider connections; the app calls this on shutdown."""
        return None

    async def send(self, message: OutboundMessage) -> SendResult:
        """Never raises for provider trouble: the outcome says what happened.

        Order: opt-out check (no provider call for an opted-out recipient), then the
        provider call under ``timeout_s``. Programming errors (anything that is not a
        ``SendError``, a timeout or a network error) propagate to the worker.
        """
        address = self.address_of(message)
        canonical = OutboundMessage(to=address, body=message.body, reference=message.reference)
        if await self._opt_outs.is_opted_out(self.channel, address):
            return self._finish(canonical, Outcome.OPTED_OUT, 0.0, error="recipient opted out")
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout_s):
                provider_ref = await self._try_send(canonical)
        except SendError as exc:
            return await self._failed(canonical, exc, time.perf_counter() - started)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            error = RetryLater(f"{type(exc).__name__}: {exc}".rstrip(": "), code="network")
            return await self._failed(canonical, error, time.perf_counter() - started)
        elapsed = time.perf_counter() - started
        self._metrics.latency.labels(self.channel, self.provider).observe(elapsed)
        return self._finish(canonical, Outcome.SENT, elapsed, provider_ref=provider_ref)

    async def _failed(self, message: OutboundMessage, exc: SendError, elapsed: float) -> SendResult:
        self._metrics.latency.labels(self.channel, self.provider).observe(elapsed)
        if isinstance(exc, RecipientOptedOut):
            if self._on_opt_out is not None:
                reason = f"{self.provider}:{exc.code}" if exc.code else self.provider
                await self._on_opt_out.record_opt_out(self.channel, message.to, reason)
            return self._finish(message, Outcome.OPTED_OUT, elapsed, error=exc.describe())
        if isinstance(exc, PermanentFailure):
            return self._finish(message, Outcome.FAILED, elapsed, error=exc.describe())
        retry_after = exc.retry_after_s if isinstance(exc, RetryLater) else None
        return self._finish(
            message, Outcome.RETRY, elapsed, error=exc.describe(), retry_after_s=retry_after
        )

    def _finish(
        self,
        message: OutboundMessage,
        outcome: Outcome,
        elapsed: float,
        *,
        provider_ref: str | None = None,
        error: str | None = None,
        retry_after_s: float | None = None,
    ) -> SendResult:
        self._metrics.sends.labels(self.channel, self.provider, outcome.value).inc()
        level = logging.INFO if outcome in (Outcome.SENT, Outcome.OPTED_OUT) else logging.WARNING
        log.log(
            level,
            "send channel=%s provider=%s to=%s ref=%s outcome=%s provider_ref=%s error=%s ms=%.1f",
            self.channel,
            self.provider,
            mask(message.to),
            message.reference,
            outcome.value,
            provider_ref,
            mask_text(error) if error else None,
            elapsed * 1000,
        )
        return SendResult(outcome, provider_ref, error, retry_after_s, elapsed)
