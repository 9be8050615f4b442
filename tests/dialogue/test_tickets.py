"""Ticket numbers (TS + local date + daily sequence) and ticket queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.db import Database
from bot.tickets import NewTicket, TicketRepository
from tests.dialogue.conftest import SettableClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _new(kind: str = "complaint", sender: str = "u1") -> NewTicket:
    return NewTicket(kind, "webchat", sender, summary="路灯坏了")


async def test_numbers_are_ts_date_and_a_daily_sequence(db: Database) -> None:
    clock = SettableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    repo = TicketRepository(db, SHANGHAI, clock)
    first, second = [await repo.create(_new()) for _ in range(2)]
    assert (first.ticket_no, second.ticket_no) == ("TS202603020001", "TS202603020002")
    clock.moment = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert (await repo.create(_new())).ticket_no == "TS202603030001"


async def test_the_date_is_the_local_date(db: Database) -> None:
    # 17:00 UTC on 2 March is already 3 March in Shenzhen.
    repo = TicketRepository(db, SHANGHAI, SettableClock(datetime(2026, 3, 2, 17, 0, tzinfo=UTC)))
    assert (await repo.create(_new())).ticket_no.startswith("TS20260303")


async def test_concurrent_creation_never_repeats_a_number(db: Database) -> None:
    repos = [TicketRepository(db, SHANGHAI) for _ in range(4)]  # like four replicas
    created = await asyncio.gather(*(repos[i % 4].create(_new(sender=f"u{i}")) for i in range(24)))
    numbers = [t.ticket_no for t in created]
    assert len(set(numbers)) == 24
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 25))


async def test_sequence_grows_past_four_digits(db: Database) -> None:
    clock = SettableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    repo = TicketRepository(db, SHANGHAI, clock)
    async with db.session.begin() as s:
        from bot.db import Ticket

        s.add(Ticket(ticket_no="TS202603029999", kind="complaint", channel="x", sender="y"))
    assert (await repo.create(_new())).ticket_no == "TS2026030210000"
    assert (await repo.create(_new())).ticket_no == "TS2026030210001"


async def test_unknown_kind_is_rejected(db: Database) -> None:
    with pytest.raises(ValueError, match="kind"):
        await TicketRepository(db, SHANGHAI).create(_new(kind="praise"))


async def test_claim_is_atomic_and_only_for_open_tickets(db: Database) -> None:
    repo = TicketRepository(db, SHANGHAI)
    ticket = await repo.create(_new(kind="handoff"))
    results = await asyncio.gather(
        repo.claim(ticket.ticket_no, "a1"), repo.claim(ticket.ticket_no, "a2")
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1 and winners[0].status == "claimed"
    await repo.set_status(ticket.ticket_no, "closed")
    assert await repo.claim(ticket.ticket_no, "a3") is None
    closed = await repo.get(ticket.ticket_no)
    assert closed is not None and closed.closed_at is not None


async def test_mailbox_returns_undelivered_agent_messages_once(db: Database) -> None:
    repo = TicketRepository(db, SHANGHAI)
    ticket = await repo.create(_new(kind="handoff"))
    await repo.add_message(ticket.ticket_no, "citizen", "在吗", delivered=True)
    await repo.add_message(ticket.ticket_no, "agent", "您好", agent="a1")
    await repo.add_message(ticket.ticket_no, "agent", "已送达", agent="a1", delivered=True)
    assert [m.text for m in await repo.take_undelivered(ticket.ticket_no)] == ["您好"]
    assert await repo.take_undelivered(ticket.ticket_no) == []
    assert len(await repo.messages(ticket.ticket_no)) == 3
