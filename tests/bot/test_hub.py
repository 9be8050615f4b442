"""Hub.handle serialises one sender's messages and lets different senders run together."""

import asyncio

from bot.coordination import MemoryLockManager
from bot.hub import Hub
from bot.messages import InboundMessage, Reply
from bot.metrics import Metrics


class RecordingPolicy:
    """A policy that takes a while and records overlapping turns."""

    def __init__(self) -> None:
        self.active: dict[str, int] = {}
        self.max_overlap: dict[str, int] = {}
        self.total_overlap = 0
        self.running = 0

    async def respond(self, message: InboundMessage) -> tuple[list[Reply], str]:
        key = message.session_key
        self.active[key] = self.active.get(key, 0) + 1
        self.running += 1
        self.max_overlap[key] = max(self.max_overlap.get(key, 0), self.active[key])
        self.total_overlap = max(self.total_overlap, self.running)
        await asyncio.sleep(0.02)
        self.active[key] -= 1
        self.running -= 1
        return [Reply(text=f"echo {message.text}")], "test"


async def test_same_sender_turns_never_overlap() -> None:
    policy = RecordingPolicy()
    hub = Hub(policy, MemoryLockManager(), Metrics())
    messages = [InboundMessage("webchat", "u1", str(i)) for i in range(5)]
    replies = await asyncio.gather(*(hub.handle(m) for m in messages))
    assert [r[0].text for r in replies] == [f"echo {i}" for i in range(5)]
    assert policy.max_overlap["webchat:u1"] == 1


async def test_different_senders_run_concurrently() -> None:
    policy = RecordingPolicy()
    hub = Hub(policy, MemoryLockManager(), Metrics())
    messages = [InboundMessage("webchat", f"u{i}", "hi") for i in range(4)]
    await asyncio.gather(*(hub.handle(m) for m in messages))
    assert policy.total_overlap > 1


async def test_same_sender_id_on_two_channels_is_two_sessions() -> None:
    assert (
        InboundMessage("sms", "x", "").session_key != InboundMessage("wechat", "x", "").session_key
    )


async def test_handled_messages_are_counted_in_metrics() -> None:
    metrics = Metrics()
    hub = Hub(RecordingPolicy(), MemoryLockManager(), metrics)
    await hub.handle(InboundMessage("sms", "+8613800000000", "hi"))
    text = metrics.render().decode()
    assert 'hub_messages_total{channel="sms",intent="test"} 1.0' in text
