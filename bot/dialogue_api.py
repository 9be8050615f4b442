"""Department-facing ticket API: ``GET /api/v1/tickets`` and ``GET /api/v1/tickets/{no}``.

Bearer authentication with scope ``tickets:read``. Until API keys exist (push issue) the
``server.admin_token`` is the only accepted token and carries every scope; an API-key store
plugs in by implementing ``TokenAuthorizer``. No header / unknown token -> 401, a known token
without the scope -> 403, both as JSON errors.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from bot.tickets import TICKET_KINDS, TICKET_STATUSES, TicketRepository
from bot.web import BadRequest, json_error, json_response

READ_SCOPE = "tickets:read"
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class TokenAuthorizer(Protocol):
    async def scopes(self, token: str) -> frozenset[str] | None:
        """The scopes of a valid token, or None when the token is unknown."""
        ...


class AdminTokenAuthorizer:
    """The configured admin token holds every scope (``*``); nothing else is valid."""

    def __init__(self, admin_token: str | None) -> None:
        self._token = admin_token

    async def scopes(self, token: str) -> frozenset[str] | None:
        if self._token and hmac.compare_digest(token.encode(), self._token.encode()):
            return frozenset({"*"})
        return None


async def authorize(request: web.Request, auth: TokenAuthorizer, scope: str) -> web.Response | None:
    """None when allowed, else the 401/403 JSON response to send."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("missing bearer token (Authorization: Bearer <token>)")
    scopes = await auth.scopes(token.strip())
    if scopes is None:
        return _unauthorized("invalid token")
    if "*" not in scopes and scope not in scopes:
        return json_error(403, f"token lacks scope {scope}")
    return None


def _unauthorized(message: str) -> web.Response:
    response = json_error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="citizen-hub"'
    return response


def _choices(request: web.Request, name: str, allowed: Sequence[str]) -> tuple[str, ...]:
    values = [v for raw in request.query.getall(name, []) for v in raw.split(",") if v]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        expected = ", ".join(allowed)
        raise BadRequest(f"{name}: unknown value {unknown[0]!r} (expected one of {expected})")
    return tuple(values)


def _int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name}: expected an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name}: must be between {low} and {high}")
    return value


def ticket_routes(tickets: TicketRepository, auth: TokenAuthorizer) -> list[web.RouteDef]:
    async def list_tickets(request: web.Request) -> web.Response:
        denied = await authorize(request, auth, READ_SCOPE)
        if denied is not None:
            return denied
        kinds = _choices(request, "kind", TICKET_KINDS)
        statuses = _choices(request, "status", TICKET_STATUSES)
        limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int(request, "offset", 0, 0, 10**9)
        page = await tickets.find(kinds, statuses, limit, offset)
        next_offset = offset + len(page.items) if offset + len(page.items) < page.total else None
        body = {
            "items": [t.as_json() for t in page.items],
            "total": page.total,
            "limit": limit,
            "offset": offset,
            "next_offset": next_offset,
        }
        return json_response(body)

    async def get_ticket(request: web.Request) -> web.Response:
        denied = await authorize(request, auth, READ_SCOPE)
        if denied is not None:
            return denied
        ticket = await tickets.get(request.match_info["ticket_no"])
        if ticket is None:
            return json_error(404, "no such ticket")
        messages = await tickets.messages(ticket.ticket_no)
        return json_response({**ticket.as_json(), "messages": [m.as_json() for m in messages]})

    return [
        web.get("/api/v1/tickets", list_tickets),
        web.get("/api/v1/tickets/{ticket_no}", get_ticket),
    ]
