"""Shared pieces of the WeChat channel tests (the hub's stand-in, config, a channel-only app)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.config import Config
from bot.messages import InboundMessage, Reply
from bot.web import error_middleware
from channels.wechat import WechatChannel
from tests.fakes.fake_wechat import FakeWechat

TOKEN = "citizen-hub-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


class Handler:
    """The hub's place: records each message and answers ``答：<text>``."""

    def __init__(self, delay_s: float = 0.0, replies: list[Reply] | None = None) -> None:
        self.calls: list[InboundMessage] = []
        self.delay_s = delay_s
        self.replies = replies
        self.cancelled = False

    async def __call__(self, message: InboundMessage) -> list[Reply]:
        self.calls.append(message)
        try:
            await asyncio.sleep(self.delay_s)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return self.replies if self.replies is not None else [Reply(f"答：{message.text}")]


def wechat_config(make_config: Callable[..., Config], fake: FakeWechat, **extra: Any) -> Config:
    section = {
        "enabled": True,
        "token": TOKEN,
        "app_id": fake.app_id,
        "app_secret": fake.app_secret,
        "encoding_aes_key": AES_KEY,
        "api_base": fake.base_url,
        "menu": {"V_PASSPORT": "港澳通行证要带什么材料"},
        **extra,
    }
    return make_config(channels={"wechat": section})


def channel_app(channel: WechatChannel) -> web.Application:
    app = web.Application(middlewares=[error_middleware])
    app.add_routes(channel.routes())

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        await channel.start()
        yield
        await channel.stop()

    app.cleanup_ctx.append(lifecycle)
    return app


async def post(client: TestClient[Any, Any], query: dict[str, str], body: bytes) -> tuple[int, str]:
    resp = await client.post("/channels/wechat", params=query, data=body)
    return resp.status, await resp.text()
