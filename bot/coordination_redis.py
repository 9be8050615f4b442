"""Redis implementation of the coordination interfaces (``redis.asyncio``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import LockError, RedisError

from bot.coordination import Coordination


class RedisKeyValueStore:
    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self._r = client
        self._p = prefix

    async def get(self, key: str) -> str | None:
        value = await self._r.get(self._p + key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl_s: float | None = None) -> None:
        px = None if ttl_s is None else max(1, int(ttl_s * 1000))
        await self._r.set(self._p + key, value, px=px)

    async def delete(self, key: str) -> None:
        await self._r.delete(self._p + key)

    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        created = await self._r.set(self._p + key, value, px=max(1, int(ttl_s * 1000)), nx=True)
        return bool(created)

    async def incr(self, key: str, ttl_s: float) -> int:
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.incr(self._p + key)
            pipe.pexpire(self._p + key, max(1, int(ttl_s * 1000)), nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def ping(self) -> bool:
        try:
            return bool(await self._r.ping())
        except (RedisError, OSError):
            return False

    async def aclose(self) -> None:
        await self._r.aclose()


class RedisSessionStore:
    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self._r = client
        self._p = prefix + "session:"

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._r.get(self._p + key)
        return None if raw is None else dict(json.loads(raw))

    async def set(self, key: str, value: dict[str, Any], ttl_s: float) -> None:
        payload = json.dumps(value, ensure_ascii=False)
        await self._r.set(self._p + key, payload, px=max(1, int(ttl_s * 1000)))

    async def delete(self, key: str) -> None:
        await self._r.delete(self._p + key)


class RedisLockManager:
    """Distributed per-key locks (redis-py's Lock: SET NX PX + token-checked release)."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self._r = client
        self._p = prefix + "lock:"

    @asynccontextmanager
    async def lock(self, key: str, timeout_s: float = 30.0) -> AsyncIterator[None]:
        lock = self._r.lock(
            self._p + key, timeout=timeout_s, blocking_timeout=timeout_s, sleep=0.01
        )
        if not await lock.acquire():
            raise TimeoutError(f"lock {key!r} not acquired within {timeout_s}s")
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockError:
                pass  # expired while held; another holder may own it now


def redis_coordination(url: str, prefix: str) -> Coordination:
    client = aioredis.Redis.from_url(url, decode_responses=True)
    return Coordination(
        sessions=RedisSessionStore(client, prefix),
        kv=RedisKeyValueStore(client, prefix),
        locks=RedisLockManager(client, prefix),
        backend="redis",
    )
