"""SQL records (source of truth): every table in one place, SQLAlchemy 2 async.

Embedded default is a SQLite file under ``var/``; production is PostgreSQL by URL.
Tables are created with ``create_all`` until migrations (Alembic) arrive.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite hands back naive UTC values)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class Case(Base):
    """A citizen's application (办件), filled by departments."""

    __tablename__ = "cases"
    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str | None] = mapped_column(String(128))
    service_name: Mapped[str | None] = mapped_column(String(256))
    department: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(64))
    status_text: Mapped[str | None] = mapped_column(Text)
    # Verification secrets are stored hashed (sha256 of the normalised value with the case_no).
    id_suffix_hash: Mapped[str | None] = mapped_column(String(64))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CaseEvent(Base):
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(ForeignKey("cases.case_no"), index=True)
    status: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("case_no", "channel", "address"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OptOut(Base):
    """A recipient who said TD/STOP on a channel; push must not send to them."""

    __tablename__ = "opt_outs"
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    address: Mapped[str] = mapped_column(String(128), primary_key=True)
    reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reachability(Base):
    """Whether a channel address can be reached (WeChat unsubscribe marks it unreachable)."""

    __tablename__ = "reachability"
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    address: Mapped[str] = mapped_column(String(128), primary_key=True)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Ticket(Base):
    """Complaints (投诉建议), handoffs (转人工) and call-back requests."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_no: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(128), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # Handoff tickets: the agent who claimed it (status open -> claimed -> closed).
    agent: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class TicketSequence(Base):
    """The last ticket number handed out per local day (row-locked while incremented)."""

    __tablename__ = "ticket_sequences"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class TicketMessage(Base):
    """What the citizen and the agent said on a ticket (the handoff relay, both ways)."""

    __tablename__ = "ticket_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # citizen | agent | system
    agent: Mapped[str | None] = mapped_column(String(128), default=None)
    text: Mapped[str] = mapped_column(Text)
    # Agent/system messages not yet pushed to the citizen's channel wait here (mailbox).
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(128))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(128))
    template: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="created", index=True)
    provider_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


class Database:
    """Owns the engine and the session factory; opened and closed by the app."""

    def __init__(self, url: str) -> None:
        _ensure_sqlite_folder(url)
        self.url = url
        sqlite = make_url(url).get_backend_name() == "sqlite"
        # Embedded SQLite has one writer at a time: one pooled connection makes transactions
        # queue in the event loop (FIFO) instead of in SQLite's sleeping busy handler.
        on_disk = sqlite and make_url(url).database not in (None, "", ":memory:")
        pool = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60} if on_disk else {}
        # A local file needs no liveness probe per checkout; a server connection does.
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=not sqlite, **pool)
        if sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin_immediate)
        self.session: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    async def create_all(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def close(self) -> None:
        await self.engine.dispose()


def _sqlite_begin_immediate(conn: Any) -> None:
    # SQLite fails at once ("database is locked", no busy wait) when a transaction that began
    # as a reader tries to write while another connection writes. Taking the write lock at
    # BEGIN makes concurrent writers wait their turn (busy_timeout) instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    dbapi_conn.isolation_level = None  # type: ignore[attr-defined]  # we emit BEGIN ourselves
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: no fsync per commit, still crash-safe (only the last commits can be lost
    # on power failure); the SQLite-recommended setting for WAL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # embedded mode: writers queue, never fail
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
