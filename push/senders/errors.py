"""Typed outcomes a provider module raises from ``Sender._try_send``.

The retry decision is made by exception type (as in GOV.UK Notify's SMS clients): the
delivery worker retries ``RetryLater``, gives up on ``PermanentFailure`` and marks the
notification ``opted_out`` on ``RecipientOptedOut``.
"""

from __future__ import annotations


class SendError(Exception):
    """Base of the typed send outcomes; ``code`` is the provider's error code, if any."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def describe(self) -> str:
        """Short text stored on the notification (``error`` column)."""
        return f"{self.code}: {self.message}" if self.code else self.message


class RetryLater(SendError):
    """Transient: rate limited, provider 5xx, timeout, network error. Try again later."""

    def __init__(
        self, message: str, *, code: str | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class PermanentFailure(SendError):
    """The provider refused this message for good (bad number, other 4xx)."""


class RecipientOptedOut(SendError):
    """The recipient unsubscribed (our records, or the provider says so, e.g. Twilio 21610)."""
