"""Web chat: REST (plus the Rasa REST-channel alias), WebSocket, demo page and widget."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from bot.messages import InboundMessage, Reply
from bot.web import BadRequest, dumps_utf8, json_response, read_json_object
from channels.base import Channel

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger("citizen_hub.webchat")
STATIC = Path(__file__).parent / "static"
MAX_SENDER_CHARS = 128


def render(sender: str, replies: list[Reply]) -> list[dict[str, Any]]:
    """Rasa REST-channel answer shape: one object per bubble."""
    out: list[dict[str, Any]] = []
    for reply in replies:
        item: dict[str, Any] = {"recipient_id": sender, "text": reply.text}
        if reply.buttons:
            item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        if reply.links:
            item["links"] = [{"title": link.title, "url": link.url} for link in reply.links]
        out.append(item)
    return out


def parse_chat_body(data: dict[str, Any], max_chars: int) -> tuple[str, str, dict[str, Any]]:
    """Validate ``{"sender", "message", "metadata"?}``; BadRequest says what is wrong."""
    sender, message, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if sender is None:
        raise BadRequest("field 'sender' is required")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest("field 'sender' must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f"field 'sender' is longer than {MAX_SENDER_CHARS} characters")
    if message is None:
        raise BadRequest("field 'message' is required")
    if not isinstance(message, str):
        raise BadRequest("field 'message' must be a string")
    if not message.strip():
        raise BadRequest("field 'message' must not be empty")
    if len(message) > max_chars:
        raise BadRequest(f"field 'message' is longer than {max_chars} characters", status=413)
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("field 'metadata' must be an object")
    return sender.strip(), message.strip(), metadata or {}


def correlation_id(data: dict[str, Any]) -> str | int | None:
    """A client's optional frame ``"id"``, echoed in the answer so it can match them up."""
    value = data.get("id")
    if isinstance(value, str) and len(value) <= MAX_SENDER_CHARS:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


class WebchatChannel(Channel):
    name = "webchat"

    @classmethod
    def is_enabled(cls, config: Config) -> bool:
        return config.channels.webchat.enabled

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.post("/api/v1/chat", self.chat),
            web.post("/webhooks/rest/webhook", self.chat),
            web.get("/chat", self.page),
            web.get("/chat/widget.js", self.widget),
            web.get("/chat/ws", self.websocket),
        ]

    @property
    def _max_chars(self) -> int:
        return self.ctx.config.server.max_message_chars

    async def _answer(
        self, sender: str, text: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = InboundMessage(channel=self.name, sender=sender, text=text, metadata=metadata)
        return render(sender, await self.ctx.handle(message))

    async def chat(self, request: web.Request) -> web.Response:
        sender, text, metadata = parse_chat_body(await read_json_object(request), self._max_chars)
        return json_response(
            await self._answer(sender, text, metadata), headers=self._cors(request)
        )

    def _cors(self, request: web.Request) -> dict[str, str]:
        origin = request.headers.get("Origin")
        allowed = self.ctx.config.channels.webchat.allowed_origins
        if origin and ("*" in allowed or origin in allowed):
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    async def page(self, _: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "chat.html")

    async def widget(self, _: web.Request) -> web.FileResponse:
        return web.FileResponse(
            STATIC / "widget.js", headers={"Content-Type": "application/javascript; charset=utf-8"}
        )

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Frames in: ``{"sender", "message", "metadata"?, "id"?}``; out: ``{"type": "bot", ...}``
        or ``{"type": "error", "error"}``, with the frame's ``"id"`` echoed when it sent one."""
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=self.ctx.config.server.max_body_bytes)
        await ws.prepare(request)
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                if frame.type == WSMsgType.BINARY:
                    await ws.send_json(
                        {"type": "error", "error": "send text frames with JSON"}, dumps=dumps_utf8
                    )
                continue
            await ws.send_json(await self._ws_turn(frame.data), dumps=dumps_utf8)
        return ws

    async def _ws_turn(self, raw: str) -> dict[str, Any]:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            return {"type": "error", "error": f"malformed JSON: {exc.msg}"}
        if not isinstance(data, dict):
            return {"type": "error", "error": "expected a JSON object"}
        answer = await self._ws_answer(data)
        if (correlation := correlation_id(data)) is not None:
            answer["id"] = correlation
        return answer

    async def _ws_answer(self, data: dict[str, Any]) -> dict[str, Any]:
        try:
            sender, text, metadata = parse_chat_body(data, self._max_chars)
        except BadRequest as exc:
            return {"type": "error", "error": exc.message}
        return {"type": "bot", "messages": await self._answer(sender, text, metadata)}
