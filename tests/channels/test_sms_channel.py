"""Twilio SMS webhooks, signed by twilio's own RequestValidator, against real SQL records.

The channel runs in a small aiohttp app with the real error middleware; the hub is replaced
by a plain async ``handle`` function (the channel's input), records are ``SqlRecords`` on a
temporary SQLite file (opt-out tests also on the real PostgreSQL server).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import delete, select
from twilio.request_validator import RequestValidator

from bot.config import Config
from bot.coordination import MemoryKeyValueStore
from bot.db import Database, Notification, OptOut
from bot.messages import Button, InboundMessage, Link, Reply
from bot.records import SqlRecords
from bot.web import error_middleware
from channels.base import ChannelContext
from channels.sms import STATUS_PATH, TwilioSmsChannel
from push.senders.twilio_sms import STATUS_CALLBACK_PATH
from tests.conftest import POSTGRES_URL

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://hub.example.gov.cn/sz"  # behind a proxy that strips /sz
INBOUND = "/channels/sms/twilio"
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


class FakeHub:
    """The channel's input: records what it was asked, answers what it is told."""

    def __init__(self) -> None:
        self.calls: list[InboundMessage] = []
        self.replies: list[Reply] = [Reply("您好，港澳通行证办理需要身份证。")]
        self.fail = False

    async def handle(self, message: InboundMessage) -> list[Reply]:
        self.calls.append(message)
        if self.fail:
            raise RuntimeError("hub exploded")
        return self.replies


def citizen() -> str:
    return f"+8619900{uuid.uuid4().int % 10**6:06d}"


@pytest.fixture
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    backend = getattr(request, "param", "sqlite")
    url = POSTGRES_URL if backend == "postgres" else f"sqlite+aiosqlite:///{tmp_path}/x.db"
    database = Database(url)
    await database.create_all()
    yield database
    async with database.session.begin() as s:
        await s.execute(delete(OptOut).where(OptOut.address.like("+8619900%")))
        await s.execute(delete(Notification).where(Notification.id.like("test-sms-%")))
    await database.close()


@pytest.fixture
def sms_config(make_config: Callable[..., Config]) -> Config:
    return make_config(
        server={"public_url": PUBLIC_URL},
        channels={
            "sms": {
                "enabled": True,
                "account_sid": "AC" + "1" * 32,
                "auth_token": TOKEN,
                "from_number": "+15005550006",
                "max_segment_chars": 120,
            }
        },
    )


@pytest.fixture
def hub() -> FakeHub:
    return FakeHub()


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, sms_config: Config, hub: FakeHub, db: Database
) -> TestClient[Any, Any]:
    ctx = ChannelContext(sms_config, hub.handle, MemoryKeyValueStore(), SqlRecords(db))
    app = web.Application(middlewares=[error_middleware])
    app.add_routes(TwilioSmsChannel(ctx).routes())
    return await aiohttp_client(app)


def inbound_form(body: str, sender: str | None = None, sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "1" * 32,
        "From": sender or citizen(),
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }


async def post_signed(
    client: TestClient[Any, Any],
    path: str,
    form: dict[str, str],
    signed_url: str | None = None,
    token: str = TOKEN,
) -> Any:
    url = signed_url or PUBLIC_URL + path
    signature = RequestValidator(token).compute_signature(url, form)
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


async def messages(resp: Any) -> list[str]:
    assert resp.status == 200, await resp.text()
    assert resp.content_type == "application/xml"
    root = ET.fromstring(await resp.read())
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


# --- signatures ------------------------------------------------------------------------


async def test_signed_question_is_answered_with_twiml(
    client: TestClient[Any, Any], hub: FakeHub
) -> None:
    form = inbound_form("港澳通行证要带什么材料")
    answer = await messages(await post_signed(client, INBOUND, form))
    assert answer == ["您好，港澳通行证办理需要身份证。"]
    [call] = hub.calls
    assert (call.channel, call.sender, call.text) == ("sms", form["From"], "港澳通行证要带什么材料")
    assert call.message_id == form["MessageSid"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, {"X-Twilio-Signature": ""}],
    ids=["missing", "forged", "empty"],
)
async def test_unsigned_or_forged_inbound_is_refused(
    client: TestClient[Any, Any], hub: FakeHub, headers: dict[str, str]
) -> None:
    resp = await client.post(INBOUND, data=inbound_form("你好"), headers=headers)
    assert resp.status == 403
    assert hub.calls == []


async def test_signature_by_another_token_or_for_other_fields_is_refused(
    client: TestClient[Any, Any], hub: FakeHub
) -> None:
    form = inbound_form("你好")
    assert (await post_signed(client, INBOUND, form, token="wrong-token")).status == 403
    url = PUBLIC_URL + INBOUND
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    tampered = {**form, "Body": "退订"}
    resp = await client.post(INBOUND, data=tampered, headers={"X-Twilio-Signature": signature})
    assert resp.status == 403
    assert hub.calls == []


async def test_signature_is_checked_against_public_url_not_internal_host(
    client: TestClient[Any, Any], hub: FakeHub
) -> None:
    form = inbound_form("你好")
    internal = str(client.make_url(INBOUND))
    assert (await post_signed(client, INBOUND, form, signed_url=internal)).status == 403
    with_query = INBOUND + "?tenant=shenzhen"
    assert len(await messages(await post_signed(client, with_query, form))) == 1
    assert len(hub.calls) == 1


# --- keywords ---------------------------------------------------------------------------


@pytest.mark.parametrize("db", ["sqlite", POSTGRES], indirect=True)
@pytest.mark.parametrize("word", ["STOP", "td", "退订", " Unsubscribe ", "ＴＤ", "T"])
async def test_stop_words_record_opt_out_and_confirm(
    client: TestClient[Any, Any], hub: FakeHub, db: Database, word: str
) -> None:
    sender = citizen()
    [answer] = await messages(await post_signed(client, INBOUND, inbound_form(word, sender)))
    assert "退订" in answer
    assert await SqlRecords(db).is_opted_out("sms", sender)
    async with db.session() as s:
        row = (await s.execute(select(OptOut).where(OptOut.address == sender))).scalar_one()
    assert row.reason is not None and row.reason.startswith("keyword:")
    assert hub.calls == []


@pytest.mark.parametrize("db", ["sqlite", POSTGRES], indirect=True)
@pytest.mark.parametrize("word", ["订阅", "start", "UNSTOP"])
async def test_subscribe_opts_back_in(
    client: TestClient[Any, Any], hub: FakeHub, db: Database, word: str
) -> None:
    sender, records = citizen(), SqlRecords(db)
    await messages(await post_signed(client, INBOUND, inbound_form("退订", sender)))
    assert await records.is_opted_out("sms", sender)
    [answer] = await messages(await post_signed(client, INBOUND, inbound_form(word, sender)))
    assert "订阅" in answer
    assert not await records.is_opted_out("sms", sender)
    assert hub.calls == []


@pytest.mark.parametrize("word", ["HELP", "帮助", "info"])
async def test_help_explains_in_chinese(
    client: TestClient[Any, Any], hub: FakeHub, word: str
) -> None:
    [answer] = await messages(await post_signed(client, INBOUND, inbound_form(word)))
    assert "深圳市" in answer and "12345" in answer and "退订" in answer
    assert hub.calls == []


async def test_stop_inside_a_sentence_is_a_question(
    client: TestClient[Any, Any], hub: FakeHub, db: Database
) -> None:
    sender = citizen()
    await messages(await post_signed(client, INBOUND, inbound_form("怎么退订短信", sender)))
    assert len(hub.calls) == 1
    assert not await SqlRecords(db).is_opted_out("sms", sender)


@pytest.mark.parametrize(("media", "expected"), [("0", "请直接发送"), ("1", "多媒体")])
async def test_empty_body_gets_a_polite_prompt(
    client: TestClient[Any, Any], hub: FakeHub, media: str, expected: str
) -> None:
    form = inbound_form("   ") | {"NumMedia": media}
    [answer] = await messages(await post_signed(client, INBOUND, form))
    assert expected in answer
    assert hub.calls == []


# --- rendering --------------------------------------------------------------------------


async def test_long_answer_is_split_without_breaking_urls(
    client: TestClient[Any, Any], hub: FakeHub
) -> None:
    url = "https://www.gdzwfw.gov.cn/portal/v2/guide/11440300MB2C92051X4442111809000?x=1&y=2"
    sentences = [f"第{i}项：请携带本人居民身份证原件及复印件一份。" for i in range(1, 9)]
    hub.replies = [
        Reply("".join(sentences[:4]) + "办理地址见" + url + "，" + "".join(sentences[4:])),
        Reply("网上办理", links=(Link("广东政务服务网", url),)),
    ]
    answer = await messages(await post_signed(client, INBOUND, inbound_form("材料")))
    assert len(answer) > 1
    assert all(len(part) <= 120 for part in answer)
    assert sum(part.count(url) for part in answer) == 2
    assert all(part.startswith(f"（{i}/{len(answer)}）") for i, part in enumerate(answer, 1))
    joined = "".join(answer)
    assert all(sentence in joined for sentence in sentences)


async def test_buttons_become_numbered_options(client: TestClient[Any, Any], hub: FakeHub) -> None:

    hub.replies = [
        Reply("您要办理哪项业务？", buttons=(Button("首次申领", "a"), Button("续签", "b")))
    ]
    [answer] = await messages(await post_signed(client, INBOUND, inbound_form("港澳通行证")))
    assert "1. 首次申领" in answer and "2. 续签" in answer


# --- Twilio retries ---------------------------------------------------------------------


async def test_retry_with_same_sid_does_not_run_the_hub_twice(
    client: TestClient[Any, Any], hub: FakeHub
) -> None:
    form = inbound_form("港澳通行证要带什么材料")
    first = await messages(await post_signed(client, INBOUND, form))
    again = await messages(await post_signed(client, INBOUND, form))
    assert again == first
    assert len(hub.calls) == 1
    other = inbound_form("港澳通行证要带什么材料", sender=form["From"])
    await messages(await post_signed(client, INBOUND, other))
    assert len(hub.calls) == 2


async def test_failed_turn_releases_the_sid_for_the_retry(
    client: TestClient[Any, Any], hub: FakeHub
) -> None:
    form = inbound_form("港澳通行证")
    hub.fail = True
    assert (await post_signed(client, INBOUND, form)).status == 500
    hub.fail = False
    assert len(await messages(await post_signed(client, INBOUND, form))) == 1
    assert len(hub.calls) == 2


# --- status callbacks -------------------------------------------------------------------


async def insert_notification(db: Database, provider_ref: str, recipient: str) -> str:
    notification_id = f"test-sms-{uuid.uuid4().hex[:20]}"
    async with db.session.begin() as s:
        s.add(
            Notification(
                id=notification_id,
                channel="sms",
                recipient=recipient,
                body="您的港澳通行证已制证完成，请到窗口领取。",
                status="sending",
                provider_ref=provider_ref,
            )
        )
    return notification_id


async def notification(db: Database, notification_id: str) -> Notification:
    async with db.session() as s:
        row = await s.get(Notification, notification_id)
    assert row is not None
    return row


def receipt(sid: str, status: str, to: str, error_code: str | None = None) -> dict[str, str]:
    form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status}
    form |= {"AccountSid": "AC" + "1" * 32, "From": "+15005550006", "To": to}
    return form | ({"ErrorCode": error_code} if error_code else {})


@pytest.mark.parametrize("db", ["sqlite", POSTGRES], indirect=True)
async def test_receipt_updates_status_and_never_goes_backwards(
    client: TestClient[Any, Any], db: Database
) -> None:
    sid, to = "SM" + uuid.uuid4().hex, citizen()
    notification_id = await insert_notification(db, sid, to)
    for status in ("sent", "delivered", "sent"):  # the last one arrives late
        assert (await post_signed(client, STATUS_PATH, receipt(sid, status, to))).status == 200
    row = await notification(db, notification_id)
    assert row.status == "delivered" and row.error is None


async def test_failed_receipt_keeps_the_error_code(
    client: TestClient[Any, Any], db: Database
) -> None:
    sid, to = "SM" + uuid.uuid4().hex, citizen()
    notification_id = await insert_notification(db, sid, to)
    resp = await post_signed(client, STATUS_PATH, receipt(sid, "undelivered", to, "30003"))
    assert resp.status == 200
    row = await notification(db, notification_id)
    assert (row.status, row.error) == ("undelivered", "twilio:30003")
    assert not await SqlRecords(db).is_opted_out("sms", to)


@pytest.mark.parametrize("db", ["sqlite", POSTGRES], indirect=True)
async def test_receipt_21610_records_the_opt_out(
    client: TestClient[Any, Any], db: Database
) -> None:
    sid, to = "SM" + uuid.uuid4().hex, citizen()
    notification_id = await insert_notification(db, sid, to)
    resp = await post_signed(client, STATUS_PATH, receipt(sid, "failed", to, "21610"))
    assert resp.status == 200
    assert await SqlRecords(db).is_opted_out("sms", to)
    assert (await notification(db, notification_id)).status == "failed"


async def test_receipt_for_unknown_sid_is_accepted(client: TestClient[Any, Any]) -> None:
    resp = await post_signed(client, STATUS_PATH, receipt("SM" + "f" * 32, "delivered", citizen()))
    assert resp.status == 200


async def test_forged_receipt_is_refused(client: TestClient[Any, Any], db: Database) -> None:
    sid, to = "SM" + uuid.uuid4().hex, citizen()
    notification_id = await insert_notification(db, sid, to)
    form = receipt(sid, "delivered", to)
    resp = await post_signed(client, STATUS_PATH, form, token="attacker-guess")
    assert resp.status == 403
    assert (await notification(db, notification_id)).status == "sending"


async def test_receipt_without_status_is_a_bad_request(client: TestClient[Any, Any]) -> None:
    form = {"MessageSid": "SM" + "a" * 32}
    resp = await post_signed(client, STATUS_PATH, form)
    assert resp.status == 400
    assert "MessageStatus" in (await resp.json())["error"]


def test_sender_status_callback_path_matches_the_route() -> None:
    assert STATUS_CALLBACK_PATH == STATUS_PATH
