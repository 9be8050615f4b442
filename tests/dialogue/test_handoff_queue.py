"""The agent queue used by the agent side: presence, claim, relay both ways, close."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from zoneinfo import ZoneInfo

import pytest

from bot.coordination import Coordination, make_coordination
from bot.db import Database
from bot.handoff import AgentPresence, HandoffError, HandoffEvent, HandoffQueue
from bot.messages import Reply
from bot.tickets import TicketRepository
from tests.conftest import REDIS_URL


@pytest.fixture(params=["memory", "redis"])
async def coordination(request: pytest.FixtureRequest) -> AsyncIterator[Coordination]:
    url = REDIS_URL if request.param == "redis" else None
    coord = make_coordination(url, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    if url:
        assert await coord.kv.ping(), "Redis must answer on 127.0.0.1:6379 (make test starts it)"
    yield coord
    await coord.close()


@pytest.fixture
async def queue(db: Database, coordination: Coordination) -> HandoffQueue:
    tickets = TicketRepository(db, ZoneInfo("Asia/Shanghai"))
    return HandoffQueue(tickets, AgentPresence(coordination.kv, coordination.locks, ttl_s=0.3))


class Outbox:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    async def __call__(self, sender: str, replies: Sequence[Reply]) -> None:
        if self.fail:
            raise ConnectionError("channel down")
        self.sent.extend((sender, r.text) for r in replies)


async def test_presence_expires_without_heartbeats(queue: HandoffQueue) -> None:
    presence = queue.presence
    assert not await presence.any_online()
    await presence.heartbeat("a1")
    await presence.heartbeat("a2")
    assert sorted(await presence.online()) == ["a1", "a2"]
    await presence.leave("a1")
    assert await presence.online() == ["a2"]
    await asyncio.sleep(0.4)
    assert not await presence.any_online()


async def test_two_replicas_see_the_same_agents(
    queue: HandoffQueue, coordination: Coordination
) -> None:
    other = AgentPresence(coordination.kv, coordination.locks, ttl_s=5)
    await asyncio.gather(*(other.heartbeat(f"a{i}") for i in range(5)))
    assert sorted(await queue.presence.online()) == [f"a{i}" for i in range(5)]


async def test_agent_reply_reaches_the_citizens_channel(queue: HandoffQueue) -> None:
    outbox = Outbox()
    queue.register_outbound("wechat", outbox)
    ticket = await queue.open("wechat", "openid-1", "咨询事项：护照")
    assert [t.ticket_no for t in await queue.list_open()] == [ticket.ticket_no]
    assert await queue.agent_reply(ticket.ticket_no, "a1", "您好") is True
    assert outbox.sent == [("openid-1", "人工客服：您好")]
    assert await queue.take_mailbox(ticket.ticket_no) == []
    claimed = await queue.get(ticket.ticket_no)
    assert claimed is not None and claimed.agent == "a1" and claimed.status == "claimed"


async def test_undeliverable_replies_wait_in_the_mailbox(queue: HandoffQueue) -> None:
    queue.register_outbound("sms", Outbox(fail=True))
    ticket = await queue.open("sms", "13800000000", "市民请求人工服务")
    assert await queue.agent_reply(ticket.ticket_no, "a1", "请稍等") is False
    assert [r.text for r in await queue.take_mailbox(ticket.ticket_no)] == ["人工客服：请稍等"]


async def test_only_the_claiming_agent_may_answer(queue: HandoffQueue) -> None:
    ticket = await queue.open("webchat", "u1", "市民请求人工服务")
    await queue.claim(ticket.ticket_no, "a1")
    assert (await queue.claim(ticket.ticket_no, "a1")).agent == "a1"
    with pytest.raises(HandoffError, match="another agent"):
        await queue.claim(ticket.ticket_no, "a2")
    with pytest.raises(HandoffError, match="another agent"):
        await queue.agent_reply(ticket.ticket_no, "a2", "我来")


async def test_close_is_announced_and_idempotent(queue: HandoffQueue) -> None:
    events: list[HandoffEvent] = []

    async def listen(event: HandoffEvent) -> None:
        events.append(event)

    queue.subscribe(listen)
    ticket = await queue.open("webchat", "u1", "市民请求人工服务")
    await queue.citizen_message(ticket.ticket_no, "在吗")
    await queue.close(ticket.ticket_no, by="a1")
    await queue.close(ticket.ticket_no, by="a1")
    assert [e.kind for e in events] == ["opened", "citizen_message", "closed"]
    assert await queue.list_open() == []
    with pytest.raises(HandoffError, match="closed"):
        await queue.agent_reply(ticket.ticket_no, "a1", "还在吗")
    mailbox = [r.text for r in await queue.take_mailbox(ticket.ticket_no)]
    assert mailbox == ["人工客服已结束本次服务。您可以继续向智能助手提问。"]


async def test_a_failing_listener_does_not_break_the_queue(queue: HandoffQueue) -> None:
    async def broken(_: HandoffEvent) -> None:
        raise RuntimeError("agent console crashed")

    queue.subscribe(broken)
    ticket = await queue.open("webchat", "u1", "市民请求人工服务")
    await queue.citizen_message(ticket.ticket_no, "在吗")
    assert len(await queue.messages(ticket.ticket_no)) == 1
