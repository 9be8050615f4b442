"""Record operations on both embedded SQLite and the real PostgreSQL server."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.db import AuditEntry, Database, Notification, OptOut, Reachability
from bot.records import SqlRecords
from tests.conftest import POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    url = POSTGRES_URL if request.param == "postgres" else f"sqlite+aiosqlite:///{tmp_path}/r.db"
    database = Database(url)
    await database.create_all()
    yield database
    await database.close()


def _address() -> str:
    return f"+86138{uuid.uuid4().int % 10**8:08d}"


async def _cleanup(db: Database, address: str) -> None:
    async with db.session.begin() as s:
        await s.execute(delete(OptOut).where(OptOut.address == address))
        await s.execute(delete(Reachability).where(Reachability.address == address))


async def test_opt_out_is_recorded_once_and_cleared(db: Database) -> None:
    records, address = SqlRecords(db), _address()
    try:
        assert not await records.is_opted_out("sms", address)
        await records.record_opt_out("sms", address, "STOP")
        await records.record_opt_out("sms", address, "退订")
        assert await records.is_opted_out("sms", address)
        assert not await records.is_opted_out("wechat", address)
        await records.clear_opt_out("sms", address)
        assert not await records.is_opted_out("sms", address)
    finally:
        await _cleanup(db, address)


async def test_reachability_defaults_to_reachable(db: Database) -> None:
    records, address = SqlRecords(db), _address()
    try:
        assert await records.is_reachable("wechat", address)
        await records.set_reachable("wechat", address, False)
        assert not await records.is_reachable("wechat", address)
        await records.set_reachable("wechat", address, True)
        assert await records.is_reachable("wechat", address)
    finally:
        await _cleanup(db, address)


async def test_delivery_status_moves_forward_only(db: Database) -> None:
    records, ref = SqlRecords(db), f"SM{uuid.uuid4().hex}"
    notification_id = str(uuid.uuid4())
    async with db.session.begin() as s:
        s.add(
            Notification(
                id=notification_id,
                channel="sms",
                recipient="+8613800000000",
                body="您的证件已办结",
                status="sending",
                provider_ref=ref,
            )
        )
    try:
        assert await records.update_delivery_status(ref, "delivered")
        assert await records.update_delivery_status(ref, "sent")  # late receipt
        async with db.session() as s:
            row = await s.get(Notification, notification_id)
            assert row is not None and row.status == "delivered"
        assert not await records.update_delivery_status("SM-unknown", "delivered")
    finally:
        async with db.session.begin() as s:
            await s.execute(delete(Notification).where(Notification.id == notification_id))


async def test_concurrent_read_then_write_transactions_all_commit(tmp_path: Path) -> None:
    """SQLite: a reader upgrading to writer while another writes must wait, not fail."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/busy.db")
    await db.create_all()

    async def read_then_write(i: int) -> None:
        async with db.session.begin() as s:
            seen = (await s.execute(select(func.count()).select_from(AuditEntry))).scalar_one()
            await asyncio.sleep(0.001)
            s.add(AuditEntry(actor=f"t{i}", action="test", detail={"seen": seen}))

    try:
        await asyncio.gather(*(read_then_write(i) for i in range(50)))
        async with db.session() as s:
            details = (await s.execute(select(AuditEntry.detail))).scalars().all()
        assert sorted(d["seen"] for d in details) == list(range(50))
    finally:
        await db.close()
