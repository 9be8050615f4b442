"""Bearer-token authorization of the ticket API with a key store that has scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.db import Database
from bot.dialogue_api import ticket_routes
from bot.tickets import TicketRepository
from bot.web import error_middleware

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


class ScopedKeys:
    """A stand-in API-key store: token -> scopes."""

    def __init__(self, keys: dict[str, frozenset[str]]) -> None:
        self.keys = keys

    async def scopes(self, token: str) -> frozenset[str] | None:
        return self.keys.get(token)


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> AsyncIterator[TestClient[Any, Any]]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/api.db")
    await db.create_all()
    keys = ScopedKeys({"reader": frozenset({"tickets:read"}), "pusher": frozenset({"notify"})})
    app = web.Application(middlewares=[error_middleware])
    app.add_routes(ticket_routes(TicketRepository(db, ZoneInfo("Asia/Shanghai")), keys))
    yield await aiohttp_client(app)
    await db.close()


async def test_a_key_without_the_scope_is_forbidden(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/api/v1/tickets", headers={"Authorization": "Bearer pusher"})
    assert resp.status == 403
    assert await resp.json() == {"error": "token lacks scope tickets:read"}


async def test_a_key_with_the_scope_reads_tickets(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/api/v1/tickets", headers={"Authorization": "Bearer reader"})
    assert resp.status == 200
    assert await resp.json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
        "next_offset": None,
    }


async def test_other_schemes_are_unauthorized(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/api/v1/tickets", headers={"Authorization": "Basic cmVhZGVy"})
    assert resp.status == 401
