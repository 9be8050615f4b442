"""WeChat end to end through the whole app (hub, NLU, catalogue, records)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import CORE_KEY, create_app
from bot.config import Config
from tests.channels.wechat_helpers import AES_KEY, OPENID, TOKEN, post, wechat_config
from tests.fakes.fake_wechat import FakeWechat
from tests.fakes.wechat_sender import WechatSender, event_xml, text_xml

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, make_config: Callable[..., Config], fake: FakeWechat
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(wechat_config(make_config, fake)))


async def test_encrypted_question_gets_encrypted_catalogue_answer(
    client: TestClient[Any, Any], fake: FakeWechat
) -> None:
    sender = WechatSender(TOKEN, fake.app_id, AES_KEY)
    status, body = await post(client, *sender.safe(text_xml(OPENID, "港澳通行证要带什么材料")))
    assert status == 200
    assert "材料" not in body  # nothing readable on the wire
    reply = sender.open_reply(body)
    assert reply["MsgType"] == "text" and reply["ToUserName"] == OPENID
    assert "港澳" in reply["Content"]
    if "请回复序号选择" in reply["Content"]:  # the dialogue asked which service; pick one
        _, body = await post(client, *sender.safe(text_xml(OPENID, "1")))
        reply = sender.open_reply(body)
    assert "材料" in reply["Content"]
    assert "1." in reply["Content"]  # materials as a numbered list


async def test_verification_forgery_and_unsubscribe_through_the_app(
    client: TestClient[Any, Any], fake: FakeWechat
) -> None:
    sender = WechatSender(TOKEN, fake.app_id, AES_KEY)
    query, _ = sender.plain("")
    resp = await client.get("/channels/wechat", params={**query, "echostr": "hello"})
    assert (resp.status, await resp.text()) == (200, "hello")
    forged = WechatSender("wrong-token", fake.app_id, AES_KEY)
    status, _ = await post(client, *forged.safe(text_xml(OPENID, "港澳通行证要带什么材料")))
    assert status == 403
    status, body = await post(client, *sender.safe(event_xml(OPENID, "unsubscribe")))
    assert (status, body) == (200, "success")
    records = client.app[CORE_KEY].records
    assert not await records.is_reachable("wechat", OPENID)
