"""WeChat's retries and the 5-second rule: the hub runs once per message, slow answers go
through the customer-service API, and replicas sharing Redis dedupe together."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.config import Config
from bot.coordination import KeyValueStore, MemoryKeyValueStore
from bot.coordination_redis import RedisKeyValueStore
from bot.records import SqlRecords
from channels.base import ChannelContext
from channels.wechat import WechatChannel
from tests.channels.wechat_helpers import (
    AES_KEY,
    OPENID,
    TOKEN,
    Handler,
    channel_app,
    post,
    wechat_config,
)
from tests.conftest import REDIS_URL
from tests.fakes.fake_wechat import CUSTOM_SEND, FakeWechat
from tests.fakes.wechat_sender import WechatSender, event_xml, next_msg_id, text_xml

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def sender(fake: FakeWechat) -> WechatSender:
    return WechatSender(TOKEN, fake.app_id, AES_KEY)


Build = Callable[..., Awaitable[tuple[TestClient[Any, Any], WechatChannel]]]


@pytest.fixture
def build(
    aiohttp_client: ClientFactory,
    make_config: Callable[..., Config],
    fake: FakeWechat,
    records: SqlRecords,
) -> Build:
    async def factory(
        handler: Handler, kv: KeyValueStore | None = None, **cfg: Any
    ) -> tuple[TestClient[Any, Any], WechatChannel]:
        config: Config = wechat_config(make_config, fake, **cfg)
        channel = WechatChannel(
            ChannelContext(config, handler, kv or MemoryKeyValueStore(), records)
        )
        return await aiohttp_client(channel_app(channel)), channel

    return factory


async def test_sequential_retries_run_the_hub_once(build: Build, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await build(handler)
    request = sender.safe(text_xml(OPENID, "社保卡怎么补办", msg_id=next_msg_id()))
    answers = [await post(client, *request) for _ in range(4)]
    assert len(handler.calls) == 1
    for status, body in answers:
        assert status == 200
        assert sender.open_reply(body)["Content"] == "答：社保卡怎么补办"


async def test_concurrent_retries_run_the_hub_once(build: Build, sender: WechatSender) -> None:
    handler = Handler(delay_s=0.2)
    client, _ = await build(handler)
    request = sender.plain(text_xml(OPENID, "居住证", msg_id=next_msg_id()))
    answers = await asyncio.gather(*(post(client, *request) for _ in range(3)))
    assert len(handler.calls) == 1
    assert all("答：居住证" in body for _, body in answers)


async def test_distinct_messages_are_not_deduped(build: Build, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await build(handler)
    for text in ("一", "二"):
        await post(client, *sender.plain(text_xml(OPENID, text)))
    await post(client, *sender.plain(event_xml(OPENID, "subscribe", created=1700000000)))
    await post(client, *sender.plain(event_xml(OPENID, "subscribe", created=1700000000)))
    await post(client, *sender.plain(event_xml(OPENID, "subscribe", created=1700000001)))
    assert [m.text for m in handler.calls] == ["一", "二", "", ""]


async def test_slow_hub_answers_success_then_customer_service(
    build: Build, sender: WechatSender, fake: FakeWechat
) -> None:
    handler = Handler(delay_s=0.6)
    client, _ = await build(handler, passive_timeout_s=0.2)
    request = sender.safe(text_xml(OPENID, "出入境记录查询", msg_id=next_msg_id()))
    assert await post(client, *request) == (200, "success")
    assert await post(client, *request) == (200, "success")  # WeChat's retry meanwhile
    assert fake.called(CUSTOM_SEND) == 0
    await fake.wait_for(CUSTOM_SEND)
    (payload,) = fake.payloads(CUSTOM_SEND)
    assert payload == {
        "touser": OPENID,
        "msgtype": "text",
        "text": {"content": "答：出入境记录查询"},
    }
    assert len(handler.calls) == 1
    assert await post(client, *request) == (200, "success")  # a late retry after delivery
    assert len(handler.calls) == 1


async def test_retry_waits_for_a_first_answer_in_progress(
    build: Build, sender: WechatSender
) -> None:
    handler = Handler(delay_s=0.3)
    client, _ = await build(handler, passive_timeout_s=1.0)
    request = sender.safe(text_xml(OPENID, "营业执照", msg_id=next_msg_id()))
    first = asyncio.create_task(post(client, *request))
    await asyncio.sleep(0.1)
    status, body = await post(client, *request)
    assert status == 200 and sender.open_reply(body)["Content"] == "答：营业执照"
    assert sender.open_reply((await first)[1])["Content"] == "答：营业执照"
    assert len(handler.calls) == 1


async def test_slow_answer_outside_48h_window_is_logged_not_raised(
    build: Build, sender: WechatSender, fake: FakeWechat, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next(CUSTOM_SEND, 45015)
    client, channel = await build(Handler(delay_s=0.3), passive_timeout_s=0.1)
    assert await post(client, *sender.plain(text_xml(OPENID, "x"))) == (200, "success")
    await fake.wait_for(CUSTOM_SEND)
    assert await channel.wait_idle(2.0)
    assert "errcode 45015" in caplog.text
    assert OPENID not in caplog.text  # openids are masked in logs


async def test_stop_cancels_background_answers(build: Build, sender: WechatSender) -> None:
    handler = Handler(delay_s=30)
    client, channel = await build(handler, passive_timeout_s=0.1)
    channel.shutdown_grace_s = 0.1
    assert await post(client, *sender.plain(text_xml(OPENID, "x"))) == (200, "success")
    assert channel.background_tasks > 0
    await channel.stop()
    assert handler.cancelled
    assert channel.background_tasks == 0


@pytest.fixture
async def redis_kv() -> AsyncIterator[Callable[[], RedisKeyValueStore]]:
    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    prefix = f"test-wechat-{uuid.uuid4().hex}:"
    yield lambda: RedisKeyValueStore(client, prefix)
    keys = [k async for k in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.mark.redis
async def test_replicas_sharing_redis_run_the_hub_once(
    build: Build, sender: WechatSender, redis_kv: Callable[[], RedisKeyValueStore]
) -> None:
    handler = Handler(delay_s=0.2)
    replica_a, _ = await build(handler, kv=redis_kv())
    replica_b, _ = await build(handler, kv=redis_kv())
    request = sender.safe(text_xml(OPENID, "公积金提取", msg_id=next_msg_id()))
    answers = await asyncio.gather(
        post(replica_a, *request), post(replica_b, *request), post(replica_a, *request)
    )
    assert len(handler.calls) == 1
    assert all(sender.open_reply(body)["Content"] == "答：公积金提取" for _, body in answers)


@pytest.mark.redis
async def test_replicas_slow_path_delivers_once(
    build: Build,
    sender: WechatSender,
    fake: FakeWechat,
    redis_kv: Callable[[], RedisKeyValueStore],
) -> None:
    handler = Handler(delay_s=0.4)
    replica_a, _ = await build(handler, kv=redis_kv(), passive_timeout_s=0.1)
    replica_b, _ = await build(handler, kv=redis_kv(), passive_timeout_s=0.1)
    request = sender.safe(text_xml(OPENID, "港澳通行证", msg_id=next_msg_id()))
    assert await post(replica_a, *request) == (200, "success")
    assert await post(replica_b, *request) == (200, "success")
    await fake.wait_for(CUSTOM_SEND)
    await asyncio.sleep(0.3)
    assert fake.called(CUSTOM_SEND) == 1
    assert len(handler.calls) == 1
