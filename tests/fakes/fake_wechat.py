"""A fake WeChat server API on 127.0.0.1: canned answers, recorded calls, injectable errcodes.

Shape after opsdroid's ``ExternalAPIMockServer``: a real aiohttp server; point
``channels.wechat.api_base`` at ``fake.base_url``.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback

TOKEN_PATH = "/cgi-bin/token"
CUSTOM_SEND = "/cgi-bin/message/custom/send"
TEMPLATE_SEND = "/cgi-bin/message/template/send"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    payload: dict[str, Any] | None


class FakeWechat:
    def __init__(self, app_id: str = "wxfakeappid", app_secret: str = "fake-secret") -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.calls: list[Call] = []
        self.expires_in = 7200
        self.delay_s = 0.0
        self.http_status: int | None = None
        self._errors: dict[str, deque[int]] = defaultdict(deque)
        self._tokens_issued = 0
        self.current_token: str | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._next_msgid = 1000

    # -- control ----------------------------------------------------------------------------

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        """The next ``times`` calls to ``path`` answer ``errcode``."""
        self._errors[path].extend([errcode] * times)

    def expire_token(self) -> None:
        """Tokens issued so far stop working (as when another client fetched a new one)."""
        self.current_token = "revoked"

    def called(self, path: str) -> int:
        return sum(1 for c in self.calls if c.path == path)

    def payloads(self, path: str) -> list[dict[str, Any]]:
        return [c.payload for c in self.calls if c.path == path and c.payload is not None]

    async def wait_for(self, path: str, count: int = 1, timeout_s: float = 5.0) -> None:
        async with asyncio.timeout(timeout_s):
            while self.called(path) < count:  # noqa: ASYNC110 - polling a test fake
                await asyncio.sleep(0.01)

    # -- server -----------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get(TOKEN_PATH, self._token)
        app.router.add_post(CUSTOM_SEND, self._send)
        app.router.add_post(TEMPLATE_SEND, self._send)
        self._runner, self.base_url = await serve_on_loopback(app)
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> web.Response | None:
        payload = None
        if request.method == "POST":
            payload = json.loads((await request.read()).decode("utf-8"))
        self.calls.append(Call(request.method, request.path, dict(request.query), payload))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.http_status is not None:
            return web.Response(status=self.http_status, text="upstream error")
        queue = self._errors.get(request.path)
        if queue:
            return _err(queue.popleft())
        return None

    async def _token(self, request: web.Request) -> web.Response:
        failure = await self._record(request)
        if failure is not None:
            return failure
        q = request.query
        if q.get("grant_type") != "client_credential" or q.get("appid") != self.app_id:
            return _err(40013, "invalid appid")
        if q.get("secret") != self.app_secret:
            return _err(40001, "invalid credential")
        self._tokens_issued += 1
        self.current_token = f"TOKEN-{self._tokens_issued}"
        return web.json_response(
            {"access_token": self.current_token, "expires_in": self.expires_in}
        )

    async def _send(self, request: web.Request) -> web.Response:
        failure = await self._record(request)
        if failure is not None:
            return failure
        if request.query.get("access_token") != self.current_token:
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        if request.path == TEMPLATE_SEND:
            self._next_msgid += 1
            return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": self._next_msgid})
        return web.json_response({"errcode": 0, "errmsg": "ok"})


def _err(errcode: int, errmsg: str = "fake error") -> web.Response:
    # WeChat answers errors with HTTP 200 and a JSON body (content type text/plain at times).
    return web.Response(
        text=json.dumps({"errcode": errcode, "errmsg": errmsg}), content_type="text/plain"
    )
