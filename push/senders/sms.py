"""SMS senders: the common base, phone-number canonicalisation and the provider registry.

Adding a provider (Aliyun SMS, Tencent Cloud SMS, ...) is one new module, e.g.
``push/senders/aliyun_sms.py``::

    class AliyunSmsSender(SmsSender):
        provider = "aliyun"

        @classmethod
        def from_config(cls, sms, public_url, *, opt_outs, metrics, on_opt_out=None): ...

        async def _try_send(self, message: OutboundMessage) -> str:
            # call SendSms over aiohttp; map its Code values to RetryLater /
            # PermanentFailure / RecipientOptedOut; return its BizId
            ...

plus its name in ``SMS_PROVIDERS`` below and in ``SmsConfig.provider``. Timing, logging,
metrics, opt-out checks and outcome mapping come from ``Sender.send``; delivery receipts
arrive through that provider's own webhook in ``channels/``.
"""

from __future__ import annotations

import importlib
import re
from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from push.senders.base import OptOutChecker, OptOutRecorder, Sender, SenderMetrics
from push.senders.types import OutboundMessage

if TYPE_CHECKING:
    from bot.config import SmsConfig

SMS_PROVIDERS: dict[str, str] = {
    "twilio": "push.senders.twilio_sms:TwilioSmsSender",
}
"""Provider name (``channels.sms.provider``) -> ``module:class``; imported on first use."""

_SEPARATORS = re.compile(r"[\s\-().]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def to_e164(number: str) -> str:
    """Canonical form used for opt-outs and providers: ``+8613812345678``.

    Bare 11-digit mainland mobiles and ``86``/``0086`` prefixes gain ``+86``; numbers already
    in ``+`` form keep their country code; anything else is returned cleaned but unchanged
    (the provider will reject it as a bad number).
    """
    cleaned = _SEPARATORS.sub("", number.strip())
    if cleaned.startswith("+"):
        return cleaned
    if cleaned.startswith("00"):
        return "+" + cleaned[2:]
    if _MAINLAND_MOBILE.fullmatch(cleaned):
        return "+86" + cleaned
    if cleaned.startswith("86") and _MAINLAND_MOBILE.fullmatch(cleaned[2:]):
        return "+" + cleaned
    return cleaned


class SmsSender(Sender):
    """Base of SMS provider modules: channel ``sms``, recipients canonicalised to E.164."""

    channel: ClassVar[str] = "sms"

    def address_of(self, message: OutboundMessage) -> str:
        return to_e164(message.to)

    @classmethod
    @abstractmethod
    def from_config(
        cls,
        sms: SmsConfig,
        public_url: str,
        *,
        opt_outs: OptOutChecker,
        metrics: SenderMetrics,
        on_opt_out: OptOutRecorder | None = None,
    ) -> SmsSender:
        """Build the sender from ``channels.sms`` and ``server.public_url`` (for receipts)."""


def sms_sender_from_config(
    sms: SmsConfig,
    public_url: str,
    *,
    opt_outs: OptOutChecker,
    metrics: SenderMetrics,
    on_opt_out: OptOutRecorder | None = None,
) -> SmsSender:
    """The configured provider's sender (``channels.sms.provider``)."""
    try:
        module_name, _, class_name = SMS_PROVIDERS[sms.provider].partition(":")
    except KeyError:
        raise ValueError(f"unknown SMS provider {sms.provider!r}") from None
    cls: Any = getattr(importlib.import_module(module_name), class_name)
    sender = cls.from_config(
        sms, public_url, opt_outs=opt_outs, metrics=metrics, on_opt_out=on_opt_out
    )
    assert isinstance(sender, SmsSender)
    return sender
