"""Twilio Programmable Messaging as an SMS provider (``channels.sms.provider: twilio``).

Uses twilio's own REST client with ``AsyncTwilioHttpClient`` (aiohttp), so nothing blocks
the event loop. ``api_base`` override: every twilio ``Domain`` builds its URLs from its
public ``base_url`` attribute (``Domain.absolute_url``), so the sender sets
``client.api.base_url = api_base`` once; edge/region host rewriting is switched off so
``api_base`` is the only source of the endpoint (point it at a regional host such as
``https://api.dublin.ie1.twilio.com`` to use one, or at a fake server in tests).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiohttp import encode_basic_auth
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from push.senders.base import OptOutChecker, OptOutRecorder, SenderMetrics
from push.senders.errors import PermanentFailure, RecipientOptedOut, RetryLater, SendError
from push.senders.sms import SmsSender
from push.senders.types import OutboundMessage

if TYPE_CHECKING:
    from bot.config import SmsConfig

DEFAULT_API_BASE = "https://api.twilio.com"
STATUS_CALLBACK_PATH = "/channels/sms/twilio/status"
"""Where Twilio posts receipts; served by ``channels.sms`` (kept in step by a test)."""

ERROR_RATE_LIMITED = 20429
ERROR_UNSUBSCRIBED = 21610
ERROR_INVALID_TO = 21211

_http_log = logging.getLogger("citizen_hub.push.twilio_http")


class _BasicAuthHeader:
    """Twilio credential provider sending Basic auth as a header.

    twilio otherwise passes ``auth=BasicAuth(...)`` to aiohttp, deprecated since aiohttp 3.14;
    with a credential provider twilio sets the ``Authorization`` header itself.
    """

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self._value = encode_basic_auth(account_sid, auth_token)

    def to_auth_strategy(self) -> _BasicAuthHeader:
        return self

    def get_auth_string(self) -> str:
        return self._value


def map_twilio_error(status: int, code: int | None, message: str) -> SendError:
    """Twilio HTTP status + error code -> typed outcome; the one place this is decided."""
    code_text = str(code) if code is not None else str(status)
    if code == ERROR_RATE_LIMITED or status == 429:
        return RetryLater(message, code=code_text)
    if code == ERROR_UNSUBSCRIBED:
        return RecipientOptedOut(message, code=code_text)
    if 400 <= status < 500:
        return PermanentFailure(message, code=code_text)
    return RetryLater(message, code=code_text)


class TwilioSmsSender(SmsSender):
    provider = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        opt_outs: OptOutChecker,
        metrics: SenderMetrics,
        status_callback: str | None = None,
        api_base: str = DEFAULT_API_BASE,
        on_opt_out: OptOutRecorder | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(
            opt_outs=opt_outs, metrics=metrics, on_opt_out=on_opt_out, timeout_s=timeout_s
        )
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._from = from_number
        self._status_callback = status_callback
        self._api_base = api_base.rstrip("/")
        self._client: Any = None
        self._http: AsyncTwilioHttpClient | None = None

    @classmethod
    def from_config(
        cls,
        sms: SmsConfig,
        public_url: str,
        *,
        opt_outs: OptOutChecker,
        metrics: SenderMetrics,
        on_opt_out: OptOutRecorder | None = None,
    ) -> TwilioSmsSender:
        if not (sms.account_sid and sms.auth_token and sms.from_number):
            raise ValueError("channels.sms: account_sid, auth_token and from_number are required")
        return cls(
            account_sid=sms.account_sid,
            auth_token=sms.auth_token,
            from_number=sms.from_number,
            opt_outs=opt_outs,
            metrics=metrics,
            on_opt_out=on_opt_out,
            status_callback=public_url.rstrip("/") + STATUS_CALLBACK_PATH,
            api_base=sms.api_base,
        )

    def _messages(self) -> Any:
        """The Messages resource; the client is built lazily inside the running loop."""
        if self._client is None:
            # Twilio's client session needs a running loop, hence not in __init__.
            if _http_log.level == logging.NOTSET:
                _http_log.setLevel(logging.WARNING)  # per-request header dumps at INFO
            self._http = AsyncTwilioHttpClient(logger=_http_log)
            client = Client(
                self._account_sid,
                self._auth_token,
                http_client=self._http,
                credential_provider=_BasicAuthHeader(self._account_sid, self._auth_token),
            )
            client.edge = None
            client.region = None
            client.api.base_url = self._api_base
            self._client = client
        return self._client.api.v2010.account.messages

    async def _try_send(self, message: OutboundMessage) -> str:
        sender = {"messaging_service_sid" if self._from.startswith("MG") else "from_": self._from}
        extra = {"status_callback": self._status_callback} if self._status_callback else {}
        try:
            created = await self._messages().create_async(
                to=message.to, body=message.body, **sender, **extra
            )
        except TwilioRestException as exc:
            raise map_twilio_error(exc.status, exc.code, exc.msg) from exc
        except TwilioServiceException as exc:
            raise map_twilio_error(exc.status, exc.code, exc.detail or exc.title) from exc
        sid = getattr(created, "sid", None)
        if not sid:
            raise RetryLater("Twilio answered without a message sid", code="no_sid")
        return str(sid)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None
        self._client = None
