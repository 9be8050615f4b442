"""Fixtures shared by the channel tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import Database
from bot.records import SqlRecords
from tests.fakes.fake_wechat import FakeWechat


@pytest.fixture
async def records(tmp_path: Path) -> AsyncIterator[SqlRecords]:
    """Real record writes on a temporary SQLite file."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/channel.db")
    await db.create_all()
    yield SqlRecords(db)
    await db.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeWechat]:
    """The fake WeChat API server on loopback (the only provider fake in this folder)."""
    server = FakeWechat()
    await server.start()
    yield server
    await server.stop()
