"""Satisfaction ratings (好差评): score 1-5 (5 = 非常满意), optional comment."""

from __future__ import annotations

from bot.db import Database, Rating


class RatingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, score: int, channel: str, sender: str, service_id: str | None) -> int:
        if not 1 <= score <= 5:
            raise ValueError(f"score must be 1-5, got {score}")
        async with self._db.session.begin() as s:
            row = Rating(score=score, channel=channel, sender=sender, service_id=service_id)
            s.add(row)
            await s.flush()
            return row.id

    async def comment(self, rating_id: int, comment: str) -> None:
        async with self._db.session.begin() as s:
            row = await s.get(Rating, rating_id)
            if row is not None:
                row.comment = comment
