"""The WeChat API client against the fake WeChat server on loopback."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.coordination import KeyValueStore, MemoryKeyValueStore
from bot.coordination_redis import RedisKeyValueStore
from channels.wechat_api import (
    WechatApiClient,
    WechatApiError,
    WechatInvalidCredential,
    WechatInvalidRecipient,
    WechatInvalidTemplate,
    WechatNetworkError,
    WechatOutsideWindow,
    WechatRateLimited,
    WechatServerBusy,
    WechatUserBlocked,
    WechatUserUnsubscribed,
)
from tests.conftest import REDIS_URL
from tests.fakes.fake_wechat import CUSTOM_SEND, TEMPLATE_SEND, TOKEN_PATH, FakeWechat

OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


def make_client(fake: FakeWechat, kv: KeyValueStore, **kwargs: float) -> WechatApiClient:
    return WechatApiClient(fake.app_id, fake.app_secret, kv, api_base=fake.base_url, **kwargs)


@pytest.fixture
async def client(fake: FakeWechat) -> AsyncIterator[WechatApiClient]:
    async with make_client(fake, MemoryKeyValueStore()) as api:
        yield api


async def test_send_text_fetches_and_caches_token(
    fake: FakeWechat, client: WechatApiClient
) -> None:
    await client.send_text(OPENID, "您的港澳通行证已办结")
    await client.send_text(OPENID, "第二条")
    assert fake.called(TOKEN_PATH) == 1
    token_call = next(c for c in fake.calls if c.path == TOKEN_PATH)
    assert token_call.query == {
        "grant_type": "client_credential",
        "appid": fake.app_id,
        "secret": fake.app_secret,
    }
    assert fake.payloads(CUSTOM_SEND) == [
        {"touser": OPENID, "msgtype": "text", "text": {"content": "您的港澳通行证已办结"}},
        {"touser": OPENID, "msgtype": "text", "text": {"content": "第二条"}},
    ]
    sends = [c for c in fake.calls if c.path == CUSTOM_SEND]
    assert all(c.query["access_token"] == "TOKEN-1" for c in sends)


async def test_send_template_shape_and_msgid(fake: FakeWechat, client: WechatApiClient) -> None:
    data: dict[str, str | dict[str, str]] = {
        "first": "您的证件已可领取",
        "keyword1": {"value": "港澳通行证", "color": "#173177"},
    }
    msgid = await client.send_template(
        OPENID, "TPL-1", data, url="https://example.gov.cn/c/1", client_msg_id="n-1"
    )
    assert msgid == "1001"
    assert fake.payloads(TEMPLATE_SEND) == [
        {
            "touser": OPENID,
            "template_id": "TPL-1",
            "data": {
                "first": {"value": "您的证件已可领取"},
                "keyword1": {"value": "港澳通行证", "color": "#173177"},
            },
            "url": "https://example.gov.cn/c/1",
            "client_msg_id": "n-1",
        }
    ]


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_refresh_once_on_token_errcodes(
    fake: FakeWechat, client: WechatApiClient, errcode: int
) -> None:
    await client.send_text(OPENID, "一")
    fake.fail_next(CUSTOM_SEND, errcode)
    await client.send_text(OPENID, "二")
    assert fake.called(TOKEN_PATH) == 2
    assert fake.called(CUSTOM_SEND) == 3
    assert fake.calls[-1].query["access_token"] == "TOKEN-2"


async def test_refresh_when_token_revoked_elsewhere(
    fake: FakeWechat, client: WechatApiClient
) -> None:
    await client.send_text(OPENID, "一")
    fake.expire_token()
    await client.send_text(OPENID, "二")
    assert fake.called(TOKEN_PATH) == 2
    assert fake.payloads(CUSTOM_SEND)[-1]["text"]["content"] == "二"


async def test_persistent_token_error_refreshes_only_once(
    fake: FakeWechat, client: WechatApiClient
) -> None:
    fake.fail_next(CUSTOM_SEND, 40001, times=5)
    with pytest.raises(WechatInvalidCredential) as info:
        await client.send_text(OPENID, "一")
    assert info.value.errcode == 40001
    assert fake.called(TOKEN_PATH) == 2
    assert fake.called(CUSTOM_SEND) == 2


async def test_token_refreshed_before_expiry(fake: FakeWechat) -> None:
    fake.expires_in = 1  # short-lived tokens are refreshed halfway through their life
    async with make_client(fake, MemoryKeyValueStore(), refresh_margin_s=300) as api:
        await api.send_text(OPENID, "一")
        await api.send_text(OPENID, "二")
        assert fake.called(TOKEN_PATH) == 1
        await asyncio.sleep(0.6)
        await api.send_text(OPENID, "三")
    assert fake.called(TOKEN_PATH) == 2


async def test_concurrent_sends_fetch_one_token(fake: FakeWechat) -> None:
    fake.delay_s = 0.05
    async with make_client(fake, MemoryKeyValueStore()) as api:
        await asyncio.gather(*(api.send_text(OPENID, str(i)) for i in range(10)))
    assert fake.called(TOKEN_PATH) == 1
    assert fake.called(CUSTOM_SEND) == 10


async def test_wrong_secret_is_invalid_credential(fake: FakeWechat) -> None:
    api = WechatApiClient(fake.app_id, "wrong", MemoryKeyValueStore(), api_base=fake.base_url)
    async with api:
        with pytest.raises(WechatInvalidCredential):
            await api.send_text(OPENID, "一")
    assert fake.called(CUSTOM_SEND) == 0


@pytest.mark.parametrize(
    ("errcode", "error", "retryable"),
    [
        (45015, WechatOutsideWindow, False),
        (45009, WechatRateLimited, True),
        (45047, WechatRateLimited, True),
        (43004, WechatUserUnsubscribed, False),
        (43019, WechatUserBlocked, False),
        (40003, WechatInvalidRecipient, False),
        (40037, WechatInvalidTemplate, False),
        (-1, WechatServerBusy, True),
        (48001, WechatApiError, False),
    ],
)
async def test_errcode_mapping(
    fake: FakeWechat,
    client: WechatApiClient,
    errcode: int,
    error: type[WechatApiError],
    retryable: bool,
) -> None:
    fake.fail_next(TEMPLATE_SEND, errcode)
    with pytest.raises(error) as info:
        await client.send_template(OPENID, "TPL", {"first": "x"})
    assert type(info.value) is error
    assert info.value.errcode == errcode
    assert info.value.retryable is retryable
    assert "access_token" not in str(info.value)


async def test_http_5xx_is_retryable_network_error(
    fake: FakeWechat, client: WechatApiClient
) -> None:
    await client.access_token()
    fake.http_status = 502
    with pytest.raises(WechatNetworkError) as info:
        await client.send_text(OPENID, "一")
    assert info.value.retryable


async def test_timeout_is_network_error(fake: FakeWechat) -> None:
    fake.delay_s = 1.0
    async with make_client(fake, MemoryKeyValueStore(), timeout_s=0.1) as api:
        with pytest.raises(WechatNetworkError) as info:
            await api.send_text(OPENID, "一")
    assert info.value.errcode == -3
    assert fake.app_secret not in str(info.value)


async def test_connection_refused_is_network_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = WechatApiClient(
        "wx", "secret", MemoryKeyValueStore(), api_base=f"http://127.0.0.1:{port}"
    )
    async with api:
        with pytest.raises(WechatNetworkError) as info:
            await api.send_text(OPENID, "一")
    assert "secret" not in str(info.value)


@pytest.mark.redis
async def test_token_shared_across_replicas_through_redis(fake: FakeWechat) -> None:
    redis = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    prefix = f"test-wechat-{uuid.uuid4().hex}:"
    try:
        a = make_client(fake, RedisKeyValueStore(redis, prefix))
        b = make_client(fake, RedisKeyValueStore(redis, prefix))
        async with a, b:
            await asyncio.gather(a.send_text(OPENID, "一"), b.send_text(OPENID, "二"))
            fake.expire_token()
            await a.send_text(OPENID, "三")
            await b.send_text(OPENID, "四")
        assert fake.called(TOKEN_PATH) == 2
        assert fake.called(CUSTOM_SEND) == 5
    finally:
        keys = [k async for k in redis.scan_iter(f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
