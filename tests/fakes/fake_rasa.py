"""A fake Rasa server: a real aiohttp server on 127.0.0.1 (random port) with canned answers.

Implements ``POST /model/parse`` like Rasa 3 (``{"text": ...}``, optional ``?token=``; 401
for a wrong token when ``token`` is set). ``answers`` maps a text to a canned parse;
anything else gets ``default_intent`` with no entities. ``fail_next(status)`` queues error
answers, ``garbage_next()`` queues a non-JSON answer, ``delay_s`` slows every answer (to
test timeouts). ``calls`` records each request's JSON body and query.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback


@dataclass(frozen=True)
class Call:
    body: Any
    query: dict[str, str]


@dataclass
class FakeRasa:
    token: str | None = None
    delay_s: float = 0.0
    default_intent: str = "greet"
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    base_url: str = ""
    _queued: list[int | str] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/model/parse", self._parse)
        self._runner, self.base_url = await serve_on_loopback(app)
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, status: int = 500) -> None:
        self._queued.append(status)

    def garbage_next(self) -> None:
        self._queued.append("garbage")

    def called(self) -> int:
        return len(self.calls)

    def answer(
        self,
        text: str,
        intent: str,
        confidence: float = 0.9,
        entities: list[dict[str, Any]] | None = None,
    ) -> None:
        self.answers[text] = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "intent_ranking": [
                {"name": intent, "confidence": confidence},
                {"name": "out_of_scope", "confidence": 1 - confidence},
            ],
        }

    async def _parse(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.calls.append(Call(body, dict(request.query)))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.token is not None and request.query.get("token") != self.token:
            return web.json_response(
                {"status": "failure", "reason": "NotAuthenticated"}, status=401
            )
        if self._queued:
            queued = self._queued.pop(0)
            if queued == "garbage":
                return web.Response(text="<html>oops</html>", content_type="text/html")
            return web.json_response({"status": "failure"}, status=int(queued))
        text = body.get("text", "")
        default = {
            "text": text,
            "intent": {"name": self.default_intent, "confidence": 0.8},
            "entities": [],
            "intent_ranking": [],
        }
        return web.json_response(self.answers.get(text, default))
