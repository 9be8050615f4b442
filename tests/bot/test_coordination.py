"""One contract suite for the coordination stores, run on the in-process and real Redis backends."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.coordination import Coordination, make_coordination
from tests.conftest import REDIS_URL


@pytest.fixture(params=["memory", "redis"])
async def coord(request: pytest.FixtureRequest) -> AsyncIterator[Coordination]:
    url = REDIS_URL if request.param == "redis" else None
    coordination = make_coordination(url, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    if request.param == "redis":
        assert await coordination.kv.ping(), (
            "Redis must answer on 127.0.0.1:6379 (make test starts it)"
        )
    yield coordination
    await coordination.close()


async def test_session_round_trip_keeps_unicode(coord: Coordination) -> None:
    await coord.sessions.set("webchat:u1", {"service": "港澳通行证", "slots": {"n": 1}}, ttl_s=60)
    assert await coord.sessions.get("webchat:u1") == {"service": "港澳通行证", "slots": {"n": 1}}


async def test_session_expires_after_ttl(coord: Coordination) -> None:
    await coord.sessions.set("webchat:u2", {"a": 1}, ttl_s=0.05)
    await asyncio.sleep(0.15)
    assert await coord.sessions.get("webchat:u2") is None


async def test_session_delete_and_isolation(coord: Coordination) -> None:
    await coord.sessions.set("webchat:a", {"who": "a"}, ttl_s=60)
    await coord.sessions.set("webchat:b", {"who": "b"}, ttl_s=60)
    await coord.sessions.delete("webchat:a")
    assert await coord.sessions.get("webchat:a") is None
    assert await coord.sessions.get("webchat:b") == {"who": "b"}


async def test_add_is_set_if_absent(coord: Coordination) -> None:
    assert await coord.kv.add("dedupe:msg1", "1", ttl_s=60) is True
    assert await coord.kv.add("dedupe:msg1", "2", ttl_s=60) is False
    assert await coord.kv.get("dedupe:msg1") == "1"


async def test_add_succeeds_again_after_expiry(coord: Coordination) -> None:
    assert await coord.kv.add("dedupe:msg2", "1", ttl_s=0.05)
    await asyncio.sleep(0.15)
    assert await coord.kv.add("dedupe:msg2", "1", ttl_s=60)


async def test_incr_counts_and_expires(coord: Coordination) -> None:
    assert [await coord.kv.incr("attempts", ttl_s=0.2) for _ in range(3)] == [1, 2, 3]
    await asyncio.sleep(0.3)
    assert await coord.kv.incr("attempts", ttl_s=0.2) == 1


async def test_set_get_delete_value(coord: Coordination) -> None:
    await coord.kv.set("token", "abc", ttl_s=60)
    assert await coord.kv.get("token") == "abc"
    await coord.kv.delete("token")
    assert await coord.kv.get("token") is None


async def test_lock_serialises_holders_of_one_key(coord: Coordination) -> None:
    order: list[str] = []

    async def worker(name: str) -> None:
        async with coord.locks.lock("sender:x"):
            order.append(f"{name}-in")
            await asyncio.sleep(0.05)
            order.append(f"{name}-out")

    await asyncio.gather(worker("a"), worker("b"))
    assert order in (["a-in", "a-out", "b-in", "b-out"], ["b-in", "b-out", "a-in", "a-out"])


async def test_locks_on_different_keys_do_not_block(coord: Coordination) -> None:
    async with coord.locks.lock("sender:1"):
        async with asyncio.timeout(2):
            async with coord.locks.lock("sender:2"):
                pass


async def test_lock_times_out_when_held(coord: Coordination) -> None:
    async with coord.locks.lock("sender:busy"):
        with pytest.raises(TimeoutError):
            async with coord.locks.lock("sender:busy", timeout_s=0.1):
                pass


async def test_lock_is_free_again_after_holders_and_a_timed_out_waiter(
    coord: Coordination,
) -> None:
    async with coord.locks.lock("sender:again"):
        with pytest.raises(TimeoutError):
            async with coord.locks.lock("sender:again", timeout_s=0.1):
                pass
    for _ in range(3):  # released each time: taking it again never waits
        async with asyncio.timeout(2):
            async with coord.locks.lock("sender:again"):
                pass


async def test_lock_is_released_when_the_body_raises(coord: Coordination) -> None:
    with pytest.raises(ValueError):
        async with coord.locks.lock("sender:raises"):
            raise ValueError("boom")
    async with asyncio.timeout(2):
        async with coord.locks.lock("sender:raises"):
            pass
