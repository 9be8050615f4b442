"""HTTP plumbing shared by all routes: JSON errors, metrics, health endpoints."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.metrics import Metrics

log = logging.getLogger("citizen_hub.web")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def dumps_utf8(value: Any) -> str:
    """JSON with Chinese kept readable (UTF-8 everywhere), not \\u escapes."""
    return json.dumps(value, ensure_ascii=False)


def json_response(body: Any, status: int = 200, **kwargs: Any) -> web.Response:
    return web.json_response(body, status=status, dumps=dumps_utf8, **kwargs)


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    return json_response({"error": message, **extra}, status=status)


class BadRequest(Exception):
    """Raised by handlers for invalid input; rendered as a JSON 4xx."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as exc:
        return json_error(exc.status, exc.message)
    except web.HTTPRequestEntityTooLarge as exc:
        return json_error(413, f"request body too large: {exc.text}")
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return json_error(exc.status, exc.reason)
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_error(500, "internal error")


def metrics_middleware(metrics: Metrics) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            metrics.count_request(name, status, time.perf_counter() - started)

    return middleware


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a BadRequest that says what is wrong."""
    raw = await request.read()
    if not raw.strip():
        raise BadRequest("request body is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise BadRequest("expected a JSON object")
    return data


def health_routes(
    metrics: Metrics, checks: dict[str, Callable[[], Awaitable[bool]]]
) -> list[web.RouteDef]:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        results = {name: await check() for name, check in checks.items()}
        ready = all(results.values())
        body = {"status": "ok" if ready else "unavailable", "checks": results}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_view(_: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), content_type="text/plain", charset="utf-8")

    return [
        web.get("/healthz", healthz),
        web.get("/readyz", readyz),
        web.get("/metrics", metrics_view),
    ]
