"""A fake Twilio REST API: a real aiohttp server on 127.0.0.1 with a random port.

Implements ``POST /2010-04-01/Accounts/{sid}/Messages.json`` as Twilio does (basic auth,
form body, 201 with a JSON message resource). Failures are queued with ``fail_next``;
``delay_s`` slows every answer (timeouts); ``max_in_flight`` shows whether callers
overlapped (a blocking client never does). ``calls`` records every request; ``receipt``
and ``sign`` build status callbacks signed with twilio's own ``RequestValidator``.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from twilio.request_validator import RequestValidator

from tests.fakes.loopback import serve_on_loopback


@dataclass(frozen=True)
class Call:
    account_sid: str
    form: dict[str, str]
    authorization: str | None


@dataclass
class Failure:
    status: int
    code: int | None
    message: str
    raw: str | None = None


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token"
    delay_s: float = 0.0
    calls: list[Call] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _failures: list[Failure] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create_message)
        self._runner, self.base_url = await serve_on_loopback(app)
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(
        self, status: int, code: int | None = None, message: str = "error", times: int = 1
    ) -> None:
        """Answer the next ``times`` calls with a Twilio error document."""
        self._failures.extend(Failure(status, code, message) for _ in range(times))

    def fail_next_raw(self, status: int, body: str) -> None:
        """Answer the next call with a non-JSON body (a proxy's HTML error page)."""
        self._failures.append(Failure(status, None, "", raw=body))

    def called(self) -> bool:
        return bool(self.calls)

    def last_payload(self) -> dict[str, str]:
        return self.calls[-1].form

    def _authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    async def _create_message(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        auth = request.headers.get("Authorization")
        self.calls.append(Call(request.match_info["sid"], form, auth))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
        finally:
            self.in_flight -= 1
        if not self._authorised(auth) or request.match_info["sid"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        if self._failures:
            failure = self._failures.pop(0)
            if failure.raw is not None:
                return web.Response(status=failure.status, text=failure.raw)
            return _error(failure.status, failure.code, failure.message)
        if not form.get("To"):
            return _error(400, 21604, "A 'To' phone number is required.")
        return web.json_response(self._resource(form), status=201)

    def _resource(self, form: dict[str, str]) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body", ""),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }

    def receipt(
        self, sid: str, status: str, error_code: int | None = None, to: str = ""
    ) -> dict[str, str]:
        """The form Twilio posts to a message's ``StatusCallback``."""
        form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status}
        form |= {"AccountSid": self.account_sid, "To": to, "ApiVersion": "2010-04-01"}
        if error_code is not None:
            form["ErrorCode"] = str(error_code)
        return form

    def sign(self, url: str, form: dict[str, str]) -> dict[str, str]:
        """Headers Twilio would send: ``X-Twilio-Signature`` by twilio's own algorithm."""
        return {
            "X-Twilio-Signature": RequestValidator(self.auth_token).compute_signature(url, form)
        }


def _error(status: int, code: int | None, message: str) -> web.Response:
    body = {"code": code, "message": message, "more_info": "", "status": status}
    return web.json_response(body, status=status)
