"""Outbound senders: one template (``Sender``) and one module per provider.

``push`` never imports ``channels``; senders talk to providers over HTTP and report typed
outcomes (``SendResult``) that the delivery worker turns into notification status and retries.
"""

from push.senders.base import OptOutChecker, OptOutRecorder, Sender, SenderMetrics
from push.senders.errors import PermanentFailure, RecipientOptedOut, RetryLater, SendError
from push.senders.types import OutboundMessage, Outcome, SendResult

__all__ = [
    "OptOutChecker",
    "OptOutRecorder",
    "OutboundMessage",
    "Outcome",
    "PermanentFailure",
    "RecipientOptedOut",
    "RetryLater",
    "SendError",
    "SendResult",
    "Sender",
    "SenderMetrics",
]
