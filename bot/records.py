"""Record operations the channels need (implements ``channels.base.ChannelRecords``)."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db import Database, Notification, OptOut, Reachability, utcnow

# Receipt statuses only move forward; a late "sent" must not overwrite "delivered".
_STATUS_RANK = {
    "created": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "opted_out": 4,
}


class SqlRecords:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_opt_out(self, channel: str, address: str, reason: str) -> None:
        async with self._db.session.begin() as s:
            existing = await s.get(OptOut, (channel, address))
            if existing is None:
                s.add(OptOut(channel=channel, address=address, reason=reason))

    async def clear_opt_out(self, channel: str, address: str) -> None:
        async with self._db.session.begin() as s:
            existing = await s.get(OptOut, (channel, address))
            if existing is not None:
                await s.delete(existing)

    async def is_opted_out(self, channel: str, address: str) -> bool:
        async with self._db.session() as s:
            return await s.get(OptOut, (channel, address)) is not None

    async def set_reachable(self, channel: str, address: str, reachable: bool) -> None:
        async with self._db.session.begin() as s:
            row = await s.get(Reachability, (channel, address))
            if row is None:
                s.add(Reachability(channel=channel, address=address, reachable=reachable))
            else:
                row.reachable = reachable

    async def is_reachable(self, channel: str, address: str) -> bool:
        async with self._db.session() as s:
            row = await s.get(Reachability, (channel, address))
            return row is None or row.reachable

    async def update_delivery_status(
        self, provider_ref: str, status: str, error: str | None = None
    ) -> bool:
        async with self._db.session.begin() as s:
            row = (
                await s.execute(
                    select(Notification).where(Notification.provider_ref == provider_ref)
                )
            ).scalar_one_or_none()
            if row is None:
                return False
            if _STATUS_RANK.get(status, 0) >= _STATUS_RANK.get(row.status, 0):
                await s.execute(
                    update(Notification)
                    .where(Notification.id == row.id)
                    .values(status=status, error=error or row.error, updated_at=utcnow())
                )
            return True
