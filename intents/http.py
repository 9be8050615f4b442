"""Rasa-compatible ``POST /model/parse`` so tools built for Rasa can query our NLU.

Request ``{"text": str}`` (other keys such as ``message_id`` are ignored); answer
``Parse.as_rasa()``: ``text``, ``intent``, ``entities``, ``intent_ranking``. Errors are JSON in
Rasa's error shape (``{"version", "status": "failure", "reason", "message", "code"}``):
400 for a body that is not JSON, not an object, without a string ``text`` or with more than
``max_chars`` characters; 503 when the backend is unavailable.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from intents.rasa import RasaUnavailable
from intents.types import Understanding

MAX_CHARS = 2000
API_VERSION = "3.x-compatible"
log = logging.getLogger("citizen_hub.nlu.http")


def _error(status: int, reason: str, message: str) -> web.Response:
    body = {
        "version": API_VERSION,
        "status": "failure",
        "reason": reason,
        "message": message,
        "code": status,
    }
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _text_of(body: Any, max_chars: int) -> str | web.Response:
    if not isinstance(body, dict):
        return _error(400, "BadRequest", 'body must be a JSON object like {"text": "..."}')
    text = body.get("text")
    if text is None:
        return _error(400, "BadRequest", "missing 'text'")
    if not isinstance(text, str):
        return _error(400, "BadRequest", "'text' must be a string")
    if len(text) > max_chars:
        return _error(400, "BadRequest", f"'text' is longer than {max_chars} characters")
    return text


def parse_routes(understanding: Understanding, max_chars: int = MAX_CHARS) -> list[web.RouteDef]:
    async def model_parse(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "BadRequest", "body is not valid JSON")
        text = _text_of(body, max_chars)
        if isinstance(text, web.Response):
            return text
        try:
            parse = await understanding.parse(text)
        except RasaUnavailable as exc:
            log.warning("model/parse backend unavailable: %s", exc)
            return _error(503, "ServiceUnavailable", "NLU backend unavailable")
        return web.json_response(parse.as_rasa(), dumps=lambda o: json.dumps(o, ensure_ascii=False))

    return [web.post("/model/parse", model_parse)]
