"""Coordination state (sessions, locks, dedupe keys, small cached values).

One interface, two implementations: in-process for embedded mode, Redis for scale-out
(see ``bot/coordination_redis.py``). The same contract tests run against both.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol


class SessionStore(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def set(self, key: str, value: dict[str, Any], ttl_s: float) -> None: ...
    async def delete(self, key: str) -> None: ...


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl_s: float | None = None) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        """Set only if absent; True when this call created the key (dedupe)."""
        ...

    async def incr(self, key: str, ttl_s: float) -> int:
        """Increment a counter; the TTL starts with the first increment."""
        ...

    async def ping(self) -> bool: ...


class LockManager(Protocol):
    def lock(self, key: str, timeout_s: float = 30.0) -> Any:
        """An async context manager that holds the named lock."""
        ...


@dataclass(frozen=True)
class Coordination:
    sessions: SessionStore
    kv: KeyValueStore
    locks: LockManager
    backend: str

    async def close(self) -> None:
        closer = getattr(self.kv, "aclose", None)
        if closer is not None:
            await closer()


class _Expiring:
    """A dict whose entries expire; the in-process stand-in for Redis keys."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float | None, str]] = {}

    def get(self, key: str) -> str | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    def set(self, key: str, value: str, ttl_s: float | None) -> None:
        expires = None if ttl_s is None else time.monotonic() + ttl_s
        self._data[key] = (expires, value)
        if len(self._data) > 10_000:
            self._sweep()

    def ttl_of(self, key: str) -> float | None:
        entry = self._data.get(key)
        return None if entry is None or entry[0] is None else entry[0] - time.monotonic()

    def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, (exp, _) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]


class MemoryKeyValueStore:
    def __init__(self) -> None:
        self._store = _Expiring()

    async def get(self, key: str) -> str | None:
        return self._store.get(key)

    async def set(self, key: str, value: str, ttl_s: float | None = None) -> None:
        self._store.set(key, value, ttl_s)

    async def delete(self, key: str) -> None:
        self._store.delete(key)

    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        if self._store.get(key) is not None:
            return False
        self._store.set(key, value, ttl_s)
        return True

    async def incr(self, key: str, ttl_s: float) -> int:
        current = self._store.get(key)
        if current is None:
            self._store.set(key, "1", ttl_s)
            return 1
        value = int(current) + 1
        self._store.set(key, str(value), self._store.ttl_of(key))
        return value

    async def ping(self) -> bool:
        return True


class MemorySessionStore:
    def __init__(self) -> None:
        self._store = _Expiring()

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = self._store.get(key)
        return None if raw is None else dict(json.loads(raw))

    async def set(self, key: str, value: dict[str, Any], ttl_s: float) -> None:
        # Serialise like Redis does, so both stores accept and return the same data.
        self._store.set(key, json.dumps(value, ensure_ascii=False), ttl_s)

    async def delete(self, key: str) -> None:
        self._store.delete(key)


class MemoryLockManager:
    """Per-key asyncio locks; entries are dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def lock(self, key: str, timeout_s: float = 30.0) -> _HeldLock:
        return _HeldLock(self._locks, key, timeout_s)


class _HeldLock:
    """``async with`` one named lock (a class, not a generator: it runs once per message)."""

    __slots__ = ("_key", "_lock", "_locks", "_timeout_s")

    def __init__(
        self, locks: dict[str, tuple[asyncio.Lock, int]], key: str, timeout_s: float
    ) -> None:
        self._locks = locks
        self._key = key
        self._timeout_s = timeout_s
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> None:
        entry = self._locks.get(self._key)
        if entry is None:  # nobody holds or waits for this key: acquiring cannot wait
            lock = asyncio.Lock()
            self._locks[self._key] = (lock, 1)
            await lock.acquire()
            self._lock = lock
            return
        lock, users = entry
        self._locks[self._key] = (lock, users + 1)
        try:
            async with asyncio.timeout(self._timeout_s):
                await lock.acquire()
        except BaseException:
            self._leave()
            raise
        self._lock = lock

    async def __aexit__(self, *exc_info: object) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self._leave()

    def _leave(self) -> None:
        lock, users = self._locks[self._key]
        if users <= 1:
            del self._locks[self._key]
        else:
            self._locks[self._key] = (lock, users - 1)


def memory_coordination() -> Coordination:
    return Coordination(
        sessions=MemorySessionStore(),
        kv=MemoryKeyValueStore(),
        locks=MemoryLockManager(),
        backend="memory",
    )


def make_coordination(redis_url: str | None, prefix: str = "citizen-hub:") -> Coordination:
    """Redis when a URL is configured, else in-process. Connects lazily."""
    if not redis_url:
        return memory_coordination()
    from bot.coordination_redis import redis_coordination

    return redis_coordination(redis_url, prefix)
