"""Cases (办件): verification against hashed secrets, history, subscriptions, fixture import.

Verification secrets are never stored in clear: ``secret_hash(case_no, kind, value)`` is the
sha256 of ``case_no|kind|normalised value`` where kind is ``id`` (the last 6 characters of the
applicant's resident ID, upper case) or ``phone`` (the 11-digit mainland mobile number). The
push API's case events must store secrets with the same function.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Case, CaseEvent, Database, Subscription, as_utc, utcnow

_NOT_DIGITS = re.compile(r"[^0-9Xx]")
_DUMMY_HASH = "0" * 64


def normalise_id_suffix(value: str) -> str:
    """The last 6 characters of an ID number (or a 6-character suffix), upper case."""
    return _NOT_DIGITS.sub("", value).upper()[-6:]


def normalise_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits


def secret_hash(case_no: str, kind: str, value: str) -> str:
    """sha256 hex of ``CASE_NO|kind|normalised value`` (kind: ``id`` or ``phone``)."""
    normalised = normalise_id_suffix(value) if kind == "id" else normalise_phone(value)
    raw = f"{case_no.upper()}|{kind}|{normalised}".encode()
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class CaseEventView:
    status: str
    note: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class CaseView:
    case_no: str
    service_id: str | None
    service_name: str | None
    department: str | None
    status: str
    status_text: str | None
    updated_at: datetime
    events: tuple[CaseEventView, ...]


@dataclass(frozen=True)
class CaseEventRecord:
    status: str
    note: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class CaseRecord:
    """One case as a department (or a fixture) describes it, secrets still in clear."""

    case_no: str
    status: str
    service_id: str | None = None
    service_name: str | None = None
    department: str | None = None
    status_text: str | None = None
    id_suffix: str | None = None
    phone: str | None = None
    events: tuple[CaseEventRecord, ...] = ()


@dataclass(frozen=True)
class Verifier:
    """What the citizen offered: ``kind`` is ``id`` or ``phone``."""

    kind: str
    value: str


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def verify(self, case_no: str, verifier: Verifier) -> CaseView | None:
        """The case when the secret matches; None for an unknown case *or* a wrong secret."""
        offered = secret_hash(case_no, verifier.kind, verifier.value)
        async with self._db.session() as s:
            row = await s.get(Case, case_no.upper())
            stored = None
            if row is not None:
                stored = row.id_suffix_hash if verifier.kind == "id" else row.phone_hash
            # Compare even when the case is unknown, so both paths cost the same.
            matches = hmac.compare_digest(offered, stored or _DUMMY_HASH)
            if row is None or stored is None or not matches:
                return None
            return await self._view(s, row)

    @staticmethod
    async def _view(s: AsyncSession, row: Case) -> CaseView:
        query = (
            select(CaseEvent)
            .where(CaseEvent.case_no == row.case_no)
            .order_by(CaseEvent.occurred_at, CaseEvent.id)
        )
        events = (await s.execute(query)).scalars().all()
        return CaseView(
            case_no=row.case_no,
            service_id=row.service_id,
            service_name=row.service_name,
            department=row.department,
            status=row.status,
            status_text=row.status_text,
            updated_at=as_utc(row.updated_at),
            events=tuple(CaseEventView(e.status, e.note, as_utc(e.occurred_at)) for e in events),
        )

    async def upsert(self, records: Sequence[CaseRecord]) -> tuple[int, int]:
        """Insert or replace cases with their events; returns (cases, events) written."""
        events = 0
        async with self._db.session.begin() as s:
            for record in records:
                await self._upsert_one(s, record)
                events += len(record.events)
        return len(records), events

    @staticmethod
    async def _upsert_one(s: AsyncSession, record: CaseRecord) -> None:
        case_no = record.case_no.upper()
        row = await s.get(Case, case_no)
        if row is None:
            row = Case(case_no=case_no, status=record.status)
            s.add(row)
        row.status = record.status
        row.service_id = record.service_id
        row.service_name = record.service_name
        row.department = record.department
        row.status_text = record.status_text
        row.id_suffix_hash = (
            secret_hash(case_no, "id", record.id_suffix) if record.id_suffix else None
        )
        row.phone_hash = secret_hash(case_no, "phone", record.phone) if record.phone else None
        row.updated_at = utcnow()
        await s.flush()
        await s.execute(delete(CaseEvent).where(CaseEvent.case_no == case_no))
        for event in record.events:
            s.add(
                CaseEvent(
                    case_no=case_no,
                    status=event.status,
                    note=event.note,
                    # UTC: SQLite keeps no offset, so store every moment in one zone.
                    occurred_at=(event.occurred_at or utcnow()).astimezone(UTC),
                )
            )


class SubscriptionRepository:
    """Case-update subscriptions on the channel the citizen used (read by the push hub)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def subscribe(self, case_no: str, channel: str, address: str) -> bool:
        """True when this created or re-activated the subscription."""
        async with self._db.session.begin() as s:
            row = await self._row(s, case_no, channel, address)
            if row is None:
                s.add(Subscription(case_no=case_no, channel=channel, address=address, active=True))
                return True
            changed = not row.active
            row.active = True
            return changed

    async def unsubscribe(self, case_nos: Sequence[str], channel: str, address: str) -> list[str]:
        """Deactivate the given subscriptions; returns the case numbers that were active."""
        done: list[str] = []
        async with self._db.session.begin() as s:
            for case_no in case_nos:
                row = await self._row(s, case_no, channel, address)
                if row is not None and row.active:
                    row.active = False
                    done.append(case_no)
        return done

    async def active(self, channel: str, address: str) -> list[str]:
        query = (
            select(Subscription.case_no)
            .where(
                Subscription.channel == channel,
                Subscription.address == address,
                Subscription.active.is_(True),
            )
            .order_by(Subscription.id)
        )
        async with self._db.session() as s:
            return list((await s.execute(query)).scalars().all())

    @staticmethod
    async def _row(
        s: AsyncSession, case_no: str, channel: str, address: str
    ) -> Subscription | None:
        query = select(Subscription).where(
            Subscription.case_no == case_no,
            Subscription.channel == channel,
            Subscription.address == address,
        )
        return (await s.execute(query)).scalar_one_or_none()
