"""Tickets (complaints, handoffs, call-backs, messages) and their relay messages.

Ticket numbers are ``TS`` + local date (YYYYMMDD) + a daily sequence of at least 4 digits.
The sequence is a per-day counter row incremented with ``UPDATE ... RETURNING`` in the same
transaction as the ticket insert: the row lock queues concurrent replicas (PostgreSQL) and
SQLite serialises writers. The day's first ticket creates the row; two replicas racing for it
(or any clash on the unique ``ticket_no``) retry, so numbers stay unique on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database, Ticket, TicketMessage, TicketSequence, as_utc

Clock = Callable[[], datetime]
TICKET_KINDS = ("complaint", "handoff", "callback", "message")
TICKET_STATUSES = ("open", "claimed", "closed")
_NUMBER_ATTEMPTS = 8


def utc_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class NewTicket:
    kind: str
    channel: str
    sender: str
    summary: str = ""
    location: str | None = None
    contact: str | None = None
    service_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketView:
    ticket_no: str
    kind: str
    status: str
    channel: str
    sender: str
    summary: str
    location: str | None
    contact: str | None
    service_id: str | None
    agent: str | None
    details: dict[str, Any]
    created_at: datetime
    closed_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status != "closed"

    def as_json(self) -> dict[str, Any]:
        return {
            "ticket_no": self.ticket_no,
            "kind": self.kind,
            "status": self.status,
            "channel": self.channel,
            "sender": self.sender,
            "summary": self.summary,
            "location": self.location,
            "contact": self.contact,
            "service_id": self.service_id,
            "agent": self.agent,
            "details": self.details,
            "created_at": _iso(self.created_at),
            "closed_at": _iso(self.closed_at) if self.closed_at else None,
        }


@dataclass(frozen=True)
class TicketMessageView:
    id: int
    author: str
    text: str
    agent: str | None
    delivered: bool
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "agent": self.agent,
            "text": self.text,
            "delivered": self.delivered,
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class TicketPage:
    items: tuple[TicketView, ...]
    total: int
    limit: int
    offset: int


def _iso(value: datetime) -> str:
    return as_utc(value).isoformat()


def _view(row: Ticket) -> TicketView:
    return TicketView(
        ticket_no=row.ticket_no,
        kind=row.kind,
        status=row.status,
        channel=row.channel,
        sender=row.sender,
        summary=row.summary,
        location=row.location,
        contact=row.contact,
        service_id=row.service_id,
        agent=row.agent,
        details=dict(row.details or {}),
        created_at=as_utc(row.created_at),
        closed_at=as_utc(row.closed_at) if row.closed_at else None,
    )


def _message_view(row: TicketMessage) -> TicketMessageView:
    return TicketMessageView(
        row.id, row.author, row.text, row.agent, row.delivered, as_utc(row.created_at)
    )


def format_ticket_no(day: str, sequence: int) -> str:
    return f"TS{day}{sequence:04d}"


class TicketRepository:
    def __init__(self, db: Database, tz: tzinfo, clock: Clock = utc_clock) -> None:
        self._db = db
        self._tz = tz
        self._clock = clock

    async def create(self, new: NewTicket) -> TicketView:
        if new.kind not in TICKET_KINDS:
            raise ValueError(f"unknown ticket kind {new.kind!r}")
        for _ in range(_NUMBER_ATTEMPTS):
            try:
                return await self._insert(new)
            except IntegrityError:
                continue  # another replica took this number; read the new maximum
        raise RuntimeError("could not allocate a ticket number")

    async def _insert(self, new: NewTicket) -> TicketView:
        now = self._clock()
        day = now.astimezone(self._tz).strftime("%Y%m%d")
        async with self._db.session.begin() as s:
            number = format_ticket_no(day, await self._next_sequence(s, day))
            row = Ticket(
                ticket_no=number,
                kind=new.kind,
                status="open",
                channel=new.channel,
                sender=new.sender,
                summary=new.summary,
                location=new.location,
                contact=new.contact,
                service_id=new.service_id,
                details=dict(new.details),
                created_at=now,
            )
            s.add(row)
            await s.flush()
            return _view(row)

    async def _next_sequence(self, s: AsyncSession, day: str) -> int:
        """Increment the day's counter; the row lock queues concurrent transactions."""
        bump = (
            update(TicketSequence)
            .where(TicketSequence.day == day)
            .values(last=TicketSequence.last + 1)
            .returning(TicketSequence.last)
        )
        value = (await s.execute(bump)).scalar_one_or_none()
        if value is not None:
            return int(value)
        first = await self._last_sequence(s, day) + 1  # numbers given before the counter existed
        s.add(TicketSequence(day=day, last=first))
        await s.flush()  # a concurrent first ticket of the day makes this an IntegrityError
        return first

    @staticmethod
    async def _last_sequence(s: AsyncSession, day: str) -> int:
        prefix = f"TS{day}"
        query = (
            select(Ticket.ticket_no)
            .where(Ticket.ticket_no.like(f"{prefix}%"))
            .order_by(func.length(Ticket.ticket_no).desc(), Ticket.ticket_no.desc())
            .limit(1)
        )
        last = (await s.execute(query)).scalar_one_or_none()
        return int(last[len(prefix) :]) if last else 0

    async def get(self, ticket_no: str) -> TicketView | None:
        async with self._db.session() as s:
            row = await self._row(s, ticket_no)
            return None if row is None else _view(row)

    @staticmethod
    async def _row(s: AsyncSession, ticket_no: str) -> Ticket | None:
        query = select(Ticket).where(Ticket.ticket_no == ticket_no)
        return (await s.execute(query)).scalar_one_or_none()

    async def find(
        self,
        kinds: Sequence[str] = (),
        statuses: Sequence[str] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> TicketPage:
        query = select(Ticket)
        if kinds:
            query = query.where(Ticket.kind.in_(kinds))
        if statuses:
            query = query.where(Ticket.status.in_(statuses))
        counted = select(func.count()).select_from(query.subquery())
        async with self._db.session() as s:
            total = int((await s.execute(counted)).scalar_one())
            page = query.order_by(Ticket.id.desc()).limit(limit).offset(offset)
            rows = (await s.execute(page)).scalars().all()
        return TicketPage(tuple(_view(r) for r in rows), total, limit, offset)

    async def set_status(
        self, ticket_no: str, status: str, agent: str | None = None
    ) -> TicketView | None:
        if status not in TICKET_STATUSES:
            raise ValueError(f"unknown ticket status {status!r}")
        async with self._db.session.begin() as s:
            row = await self._row(s, ticket_no)
            if row is None:
                return None
            row.status = status
            if agent is not None:
                row.agent = agent
            if status == "closed" and row.closed_at is None:
                row.closed_at = self._clock()
            return _view(row)

    async def claim(self, ticket_no: str, agent: str) -> TicketView | None:
        """Claim an open ticket for ``agent`` (atomic); None when it is not open any more."""
        async with self._db.session.begin() as s:
            result = await s.execute(
                update(Ticket)
                .where(Ticket.ticket_no == ticket_no, Ticket.status == "open")
                .values(status="claimed", agent=agent)
            )
            if getattr(result, "rowcount", 0) != 1:
                return None
            row = await self._row(s, ticket_no)
            return None if row is None else _view(row)

    async def add_message(
        self,
        ticket_no: str,
        author: str,
        text: str,
        *,
        agent: str | None = None,
        delivered: bool = False,
    ) -> TicketMessageView | None:
        async with self._db.session.begin() as s:
            ticket = await self._row(s, ticket_no)
            if ticket is None:
                return None
            row = TicketMessage(
                ticket_id=ticket.id,
                author=author,
                agent=agent,
                text=text,
                delivered=delivered,
                created_at=self._clock(),
            )
            s.add(row)
            await s.flush()
            return _message_view(row)

    async def messages(self, ticket_no: str) -> list[TicketMessageView]:
        query = (
            select(TicketMessage)
            .join(Ticket, Ticket.id == TicketMessage.ticket_id)
            .where(Ticket.ticket_no == ticket_no)
            .order_by(TicketMessage.id)
        )
        async with self._db.session() as s:
            return [_message_view(r) for r in (await s.execute(query)).scalars().all()]

    async def take_undelivered(self, ticket_no: str) -> list[TicketMessageView]:
        """Agent/system messages not yet delivered to the citizen; marks them delivered."""
        query = (
            select(TicketMessage)
            .join(Ticket, Ticket.id == TicketMessage.ticket_id)
            .where(
                Ticket.ticket_no == ticket_no,
                TicketMessage.author != "citizen",
                TicketMessage.delivered.is_(False),
            )
            .order_by(TicketMessage.id)
        )
        async with self._db.session.begin() as s:
            rows = list((await s.execute(query)).scalars().all())
            for row in rows:
                row.delivered = True
            return [_message_view(r) for r in rows]

    async def mark_delivered(self, message_id: int) -> None:
        async with self._db.session.begin() as s:
            await s.execute(
                update(TicketMessage).where(TicketMessage.id == message_id).values(delivered=True)
            )
