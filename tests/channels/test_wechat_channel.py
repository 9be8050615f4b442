"""The WeChat channel at the HTTP level: signatures, modes, XML safety, message kinds.

The channel gets a plain async ``handle`` function (its input) that records what it was given;
kv is the in-process store, records are real SqlRecords on a temporary SQLite file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Config
from bot.coordination import KeyValueStore, MemoryKeyValueStore
from bot.db import Database, Notification
from bot.messages import Button, InboundMessage, Link, Reply
from bot.records import SqlRecords
from channels.base import ChannelContext
from channels.wechat import (
    HUB_FAILED_TEXT,
    UNKNOWN_MENU_TEXT,
    UNSUPPORTED_TEXT,
    VOICE_UNRECOGNISED_TEXT,
    WechatChannel,
)
from tests.channels.wechat_helpers import (
    AES_KEY,
    OPENID,
    TOKEN,
    Handler,
    channel_app,
    post,
    wechat_config,
)
from tests.fakes.fake_wechat import FakeWechat
from tests.fakes.wechat_sender import (
    SAMPLE_ENCRYPT,
    SAMPLE_MSG_SIGNATURE,
    SAMPLE_NONCE,
    SAMPLE_TIMESTAMP,
    WechatSender,
    event_xml,
    text_xml,
    xml_fields,
)

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


Setup = Callable[..., Awaitable[tuple[TestClient[Any, Any], WechatChannel]]]


@pytest.fixture
def setup(
    aiohttp_client: ClientFactory,
    make_config: Callable[..., Config],
    fake: FakeWechat,
    records: SqlRecords,
) -> Setup:
    async def build(
        handler: Handler, kv: KeyValueStore | None = None, **cfg: Any
    ) -> tuple[TestClient[Any, Any], WechatChannel]:
        config = wechat_config(make_config, fake, **cfg)
        ctx = ChannelContext(config, handler, kv or MemoryKeyValueStore(), records)
        channel = WechatChannel(ctx)
        return await aiohttp_client(channel_app(channel)), channel

    return build


@pytest.fixture
def sender(fake: FakeWechat) -> WechatSender:
    return WechatSender(TOKEN, fake.app_id, AES_KEY)


# -- server verification ------------------------------------------------------------------


async def test_get_verification_echoes(setup: Setup, sender: WechatSender) -> None:
    client, _ = await setup(Handler())
    query, _ = sender.plain("")
    resp = await client.get("/channels/wechat", params={**query, "echostr": "4937285627"})
    assert resp.status == 200 and await resp.text() == "4937285627"


@pytest.mark.parametrize("tamper", ["signature", "timestamp", "nonce", "missing"])
async def test_get_verification_forged_is_403(
    setup: Setup, sender: WechatSender, tamper: str
) -> None:
    client, _ = await setup(Handler())
    query, _ = sender.plain("")
    query = {"echostr": "1"} if tamper == "missing" else {**query, tamper: query[tamper] + "0"}
    resp = await client.get("/channels/wechat", params=query)
    assert resp.status == 403


# -- plaintext, compatible and safe modes -------------------------------------------------


async def test_plain_text_gets_passive_reply(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    status, body = await post(client, *sender.plain(text_xml(OPENID, "港澳通行证要带什么材料")))
    assert status == 200
    reply = xml_fields(body)
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == "gh_test"
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "答：港澳通行证要带什么材料"
    (message,) = handler.calls
    assert (message.channel, message.sender, message.text) == (
        "wechat",
        OPENID,
        "港澳通行证要带什么材料",
    )


async def test_forged_post_is_403_and_hub_not_called(setup: Setup) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    forger = WechatSender("guessed-token")
    status, _ = await post(client, *forger.plain(text_xml(OPENID, "你好")))
    assert status == 403
    assert handler.calls == []


async def test_safe_mode_reply_is_encrypted(setup: Setup, sender: WechatSender) -> None:
    client, _ = await setup(Handler())
    status, body = await post(client, *sender.safe(text_xml(OPENID, "护照怎么办")))
    assert status == 200
    assert "护照" not in body
    reply = sender.open_reply(body)
    assert reply["Content"] == "答：护照怎么办" and reply["ToUserName"] == OPENID


async def test_compatible_mode_uses_the_encrypted_part(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    status, body = await post(client, *sender.safe(text_xml(OPENID, "兼容模式"), compat=True))
    assert status == 200
    assert sender.open_reply(body)["Content"] == "答：兼容模式"
    assert [m.text for m in handler.calls] == ["兼容模式"]


async def test_tencent_sample_through_the_channel(
    aiohttp_client: ClientFactory, make_config: Callable[..., Config], records: SqlRecords
) -> None:
    section = {
        "enabled": True,
        "token": "spamtest",
        "app_id": "wx2c2769f8efd9abc2",
        "app_secret": "s",
        "encoding_aes_key": AES_KEY,
        "api_base": "http://127.0.0.1:9",
    }
    handler = Handler()
    ctx = ChannelContext(
        make_config(channels={"wechat": section}), handler, MemoryKeyValueStore(), records
    )
    client = await aiohttp_client(channel_app(WechatChannel(ctx)))
    query = {"timestamp": SAMPLE_TIMESTAMP, "nonce": SAMPLE_NONCE, "encrypt_type": "aes"}
    query["msg_signature"] = SAMPLE_MSG_SIGNATURE
    body = (
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>"
    )
    status, answer = await post(client, query, body.encode())
    assert status == 200
    (message,) = handler.calls
    assert (message.sender, message.text, message.message_id) == (
        "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        "abcdteT",
        "6054768590064713728",
    )
    reply = WechatSender("spamtest", "wx2c2769f8efd9abc2", AES_KEY).open_reply(answer)
    assert reply["Content"] == "答：abcdteT"
    assert reply["FromUserName"] == "gh_10f6c3c3ac5a"


async def test_wrong_appid_is_refused(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    status, _ = await post(client, *sender.safe(text_xml(OPENID, "x"), app_id="wxsomeoneelse0000"))
    assert status == 403
    assert handler.calls == []


async def test_forged_msg_signature_is_403(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    query, body = sender.safe(text_xml(OPENID, "x"))
    status, _ = await post(client, {**query, "msg_signature": "0" * 40}, body)
    assert status == 403
    status, _ = await post(client, {k: v for k, v in query.items() if k != "msg_signature"}, body)
    assert status == 403
    assert handler.calls == []


async def test_aes_without_encrypt_is_400(setup: Setup, sender: WechatSender) -> None:
    client, _ = await setup(Handler())
    query, _ = sender.safe(text_xml(OPENID, "x"))
    status, body = await post(client, query, text_xml(OPENID, "x").encode())
    assert status == 400 and "Encrypt" in body


# -- XML safety and limits ----------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName>"
    "<MsgType>text</MsgType><Content>&c;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>"
)


@pytest.mark.parametrize(
    "xml",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><unclosed></xml>", "<html>hi</html>", "not xml"],
)
async def test_hostile_or_broken_xml_is_400(setup: Setup, sender: WechatSender, xml: str) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    status, _ = await post(client, *sender.plain(xml))
    assert status == 400
    query, _ = sender.safe(text_xml(OPENID, "x"))
    status, _ = await post(client, query, xml.encode())
    assert status == 400
    assert handler.calls == []


async def test_hostile_xml_inside_encrypt_is_400(setup: Setup, sender: WechatSender) -> None:
    client, _ = await setup(Handler())
    status, _ = await post(client, *sender.safe(BILLION_LAUGHS))
    assert status == 400


async def test_body_over_64kb_is_413(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    status, _ = await post(client, *sender.plain(text_xml(OPENID, "长" * 30_000)))
    assert status == 413
    assert handler.calls == []


async def test_empty_body_is_400(setup: Setup, sender: WechatSender) -> None:
    client, _ = await setup(Handler())
    status, _ = await post(client, *sender.plain(""))
    assert status == 400


# -- message kinds --------------------------------------------------------------------------


def voice_xml(recognition: str) -> str:
    return (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{OPENID}</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>voice</MsgType><MediaId>m</MediaId>"
        f"<Format>amr</Format><Recognition><![CDATA[{recognition}]]></Recognition>"
        "<MsgId>881</MsgId></xml>"
    )


async def test_voice_recognition_is_asked(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    _, body = await post(client, *sender.safe(voice_xml("身份证丢了怎么补办")))
    assert sender.open_reply(body)["Content"] == "答：身份证丢了怎么补办"
    assert handler.calls[0].metadata["msg_type"] == "voice"


async def test_voice_without_recognition_is_polite(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    _, body = await post(client, *sender.safe(voice_xml("")))
    assert sender.open_reply(body)["Content"] == VOICE_UNRECOGNISED_TEXT
    assert handler.calls == []


@pytest.mark.parametrize("kind", ["image", "video", "location", "link", "shortvideo"])
async def test_other_kinds_get_polite_text(setup: Setup, sender: WechatSender, kind: str) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    xml = (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{OPENID}</FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType>{kind}</MsgType>"
        "<PicUrl>http://example/x.jpg</PicUrl><MsgId>77</MsgId></xml>"
    )
    _, body = await post(client, *sender.safe(xml))
    reply = sender.open_reply(body)
    assert reply["MsgType"] == "text" and reply["Content"] == UNSUPPORTED_TEXT
    assert handler.calls == []


async def test_menu_click_asks_the_configured_question(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    _, body = await post(client, *sender.safe(event_xml(OPENID, "CLICK", "V_PASSPORT")))
    assert sender.open_reply(body)["Content"] == "答：港澳通行证要带什么材料"
    assert handler.calls[0].metadata["event_key"] == "V_PASSPORT"
    _, body = await post(client, *sender.safe(event_xml(OPENID, "CLICK", "V_NOPE")))
    assert sender.open_reply(body)["Content"] == UNKNOWN_MENU_TEXT
    assert len(handler.calls) == 1


async def test_unsubscribe_then_subscribe(
    setup: Setup, sender: WechatSender, records: SqlRecords
) -> None:
    handler = Handler(replies=[Reply("欢迎关注深圳政务服务！")])
    client, _ = await setup(handler)
    status, body = await post(client, *sender.safe(event_xml(OPENID, "unsubscribe")))
    assert (status, body) == (200, "success")
    assert handler.calls == []
    assert not await records.is_reachable("wechat", OPENID)
    _, body = await post(client, *sender.safe(event_xml(OPENID, "subscribe")))
    assert sender.open_reply(body)["Content"] == "欢迎关注深圳政务服务！"
    (message,) = handler.calls
    assert message.text == "" and dict(message.metadata) == {"event": "subscribe"}
    assert await records.is_reachable("wechat", OPENID)


async def test_view_event_is_acknowledged(setup: Setup, sender: WechatSender) -> None:
    handler = Handler()
    client, _ = await setup(handler)
    status, body = await post(client, *sender.plain(event_xml(OPENID, "VIEW", "https://x")))
    assert (status, body) == (200, "success")
    assert handler.calls == []


async def test_template_receipt_updates_notification(
    setup: Setup, sender: WechatSender, records: SqlRecords
) -> None:
    client, _ = await setup(Handler())
    db: Database = records._db
    async with db.session.begin() as s:
        s.add(
            Notification(id="n1", channel="wechat", recipient=OPENID, body="x", provider_ref="2001")
        )
    xml = (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{OPENID}</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        "<Event>TEMPLATESENDJOBFINISH</Event><MsgID>2001</MsgID><Status>success</Status></xml>"
    )
    status, body = await post(client, *sender.safe(xml))
    assert (status, body) == (200, "success")
    async with db.session() as s:
        row = await s.get(Notification, "n1")
        assert row is not None and row.status == "delivered"


# -- rendering ------------------------------------------------------------------------------


async def test_buttons_and_several_replies_degrade_to_one_text(
    setup: Setup, sender: WechatSender
) -> None:
    replies = [
        Reply("请问您要办理哪一项？", buttons=(Button("首次申领", "a"), Button("补领", "b"))),
        Reply("在线办理", links=(Link("广东政务服务网", "https://www.gdzwfw.gov.cn"),)),
    ]
    client, _ = await setup(Handler(replies=replies))
    _, body = await post(client, *sender.safe(text_xml(OPENID, "身份证")))
    content = sender.open_reply(body)["Content"]
    assert "1. 首次申领\n2. 补领" in content and "请回复序号选择" in content
    assert content.endswith("广东政务服务网：https://www.gdzwfw.gov.cn")


async def test_overflow_goes_through_customer_service_api(
    setup: Setup, sender: WechatSender, fake: FakeWechat
) -> None:
    client, _ = await setup(Handler(replies=[Reply("一" * 600), Reply("二" * 600)]))
    _, body = await post(client, *sender.safe(text_xml(OPENID, "长答案")))
    assert sender.open_reply(body)["Content"] == "一" * 600
    await fake.wait_for("/cgi-bin/message/custom/send")
    assert fake.payloads("/cgi-bin/message/custom/send")[0]["text"]["content"] == "二" * 600


async def test_hub_failure_gets_apology(setup: Setup, sender: WechatSender) -> None:
    async def broken(_: InboundMessage) -> list[Reply]:
        raise RuntimeError("boom")

    client, _ = await setup(broken)
    status, body = await post(client, *sender.safe(text_xml(OPENID, "x")))
    assert status == 200 and sender.open_reply(body)["Content"] == HUB_FAILED_TEXT


async def test_without_aes_key_compat_is_plain_and_safe_only_is_400(
    setup: Setup, sender: WechatSender
) -> None:
    handler = Handler()
    client, _ = await setup(handler, encoding_aes_key=None)
    status, body = await post(client, *sender.safe(text_xml(OPENID, "兼容"), compat=True))
    assert status == 200 and xml_fields(body)["Content"] == "答：兼容"
    status, body = await post(client, *sender.safe(text_xml(OPENID, "安全")))
    assert status == 400 and "safe mode is not configured" in body
    assert [m.text for m in handler.calls] == ["兼容"]
