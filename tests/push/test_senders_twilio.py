"""TwilioSmsSender against a fake Twilio REST API on loopback (twilio's own async client)."""

from __future__ import annotations

import asyncio
import base64
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import delete, select

from bot.config import Config
from bot.coordination import MemoryKeyValueStore
from bot.db import Database, Notification, OptOut
from bot.messages import InboundMessage, Reply
from bot.records import SqlRecords
from bot.web import error_middleware
from channels.base import ChannelContext
from channels.sms import STATUS_PATH, TwilioSmsChannel
from push.senders import OutboundMessage, Outcome, SenderMetrics
from push.senders.sms import sms_sender_from_config, to_e164
from push.senders.twilio_sms import TwilioSmsSender
from tests.conftest import POSTGRES_URL
from tests.fakes.fake_twilio import FakeTwilio

PUBLIC_URL = "https://hub.example.gov.cn"
FROM = "+15005550006"
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


def citizen() -> str:
    return f"+8619900{uuid.uuid4().int % 10**6:06d}"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    server = FakeTwilio()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    backend = getattr(request, "param", "sqlite")
    url = POSTGRES_URL if backend == "postgres" else f"sqlite+aiosqlite:///{tmp_path}/s.db"
    database = Database(url)
    await database.create_all()
    yield database
    async with database.session.begin() as s:
        await s.execute(delete(OptOut).where(OptOut.address.like("+8619900%")))
        await s.execute(delete(Notification).where(Notification.id.like("test-sms-%")))
    await database.close()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def sender(
    fake: FakeTwilio, db: Database, registry: CollectorRegistry
) -> AsyncIterator[TwilioSmsSender]:
    records = SqlRecords(db)
    sms = TwilioSmsSender(
        account_sid=fake.account_sid,
        auth_token=fake.auth_token,
        from_number=FROM,
        opt_outs=records,
        on_opt_out=records,
        metrics=SenderMetrics(registry),
        status_callback=PUBLIC_URL + STATUS_PATH,
        api_base=fake.base_url,
        timeout_s=2.0,
    )
    yield sms
    await sms.aclose()


def sends(registry: CollectorRegistry, outcome: str) -> float:
    labels = {"channel": "sms", "provider": "twilio", "outcome": outcome}
    return registry.get_sample_value("push_sender_sends_total", labels) or 0.0


async def test_success_returns_the_twilio_sid(
    sender: TwilioSmsSender, fake: FakeTwilio, registry: CollectorRegistry
) -> None:
    result = await sender.send(OutboundMessage("138 1234 5678", "您的证件已制证完成。", "n-1"))
    assert result.outcome is Outcome.SENT and result.ok
    assert result.provider_ref is not None and result.provider_ref.startswith("SM")
    [call] = fake.calls
    assert call.account_sid == fake.account_sid
    credentials = f"{fake.account_sid}:{fake.auth_token}".encode()
    assert call.authorization == "Basic " + base64.b64encode(credentials).decode()
    assert call.form["To"] == "+8613812345678"
    assert call.form["From"] == FROM
    assert call.form["Body"] == "您的证件已制证完成。"
    assert call.form["StatusCallback"] == PUBLIC_URL + "/channels/sms/twilio/status"
    assert sends(registry, "sent") == 1
    count = registry.get_sample_value(
        "push_sender_send_seconds_count", {"channel": "sms", "provider": "twilio"}
    )
    assert count == 1


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (429, 20429, Outcome.RETRY),
        (429, None, Outcome.RETRY),
        (400, 21211, Outcome.FAILED),
        (400, 21614, Outcome.FAILED),
        (404, 20404, Outcome.FAILED),
        (500, 20500, Outcome.RETRY),
        (503, None, Outcome.RETRY),
    ],
)
async def test_error_mapping(
    sender: TwilioSmsSender,
    fake: FakeTwilio,
    registry: CollectorRegistry,
    status: int,
    code: int | None,
    outcome: Outcome,
) -> None:
    fake.fail_next(status, code, "Twilio says no")
    result = await sender.send(OutboundMessage(citizen(), "测试"))
    assert result.outcome is outcome
    assert result.provider_ref is None
    assert result.error is not None and str(code or status) in result.error
    assert sends(registry, outcome.value) == 1


async def test_html_error_page_from_a_proxy_is_retried(
    sender: TwilioSmsSender, fake: FakeTwilio
) -> None:
    fake.fail_next_raw(502, "<html><body>Bad Gateway</body></html>")
    assert (await sender.send(OutboundMessage(citizen(), "测试"))).outcome is Outcome.RETRY


@pytest.mark.parametrize("db", ["sqlite", POSTGRES], indirect=True)
async def test_21610_means_opted_out_and_is_recorded(
    sender: TwilioSmsSender, fake: FakeTwilio, db: Database
) -> None:
    to = citizen()
    fake.fail_next(400, 21610, "Attempt to send to unsubscribed recipient")
    result = await sender.send(OutboundMessage(to, "测试"))
    assert result.outcome is Outcome.OPTED_OUT
    assert await SqlRecords(db).is_opted_out("sms", to)
    assert len(fake.calls) == 1
    again = await sender.send(OutboundMessage(to, "测试"))
    assert again.outcome is Outcome.OPTED_OUT
    assert len(fake.calls) == 1  # the second attempt never reached the provider


@pytest.mark.parametrize("db", ["sqlite", POSTGRES], indirect=True)
async def test_opted_out_recipient_never_reaches_the_provider(
    sender: TwilioSmsSender, fake: FakeTwilio, db: Database, registry: CollectorRegistry
) -> None:
    to = citizen()
    await SqlRecords(db).record_opt_out("sms", to, "keyword:TD")
    local = to.removeprefix("+86")  # the same citizen written without the country code
    result = await sender.send(OutboundMessage(local, "测试"))
    assert result.outcome is Outcome.OPTED_OUT
    assert fake.calls == []
    assert sends(registry, "opted_out") == 1


async def test_wrong_credentials_are_a_permanent_failure(
    fake: FakeTwilio, db: Database, registry: CollectorRegistry
) -> None:
    records = SqlRecords(db)
    sms = TwilioSmsSender(
        account_sid=fake.account_sid,
        auth_token="not-the-token",
        from_number=FROM,
        opt_outs=records,
        metrics=SenderMetrics(registry),
        api_base=fake.base_url,
    )
    try:
        result = await sms.send(OutboundMessage(citizen(), "测试"))
    finally:
        await sms.aclose()
    assert result.outcome is Outcome.FAILED
    assert result.error is not None and "20003" in result.error


async def test_timeout_is_retried(
    fake: FakeTwilio, db: Database, registry: CollectorRegistry
) -> None:
    fake.delay_s = 1.0
    sms = TwilioSmsSender(
        account_sid=fake.account_sid,
        auth_token=fake.auth_token,
        from_number=FROM,
        opt_outs=SqlRecords(db),
        metrics=SenderMetrics(registry),
        api_base=fake.base_url,
        timeout_s=0.1,
    )
    try:
        result = await sms.send(OutboundMessage(citizen(), "测试"))
    finally:
        await sms.aclose()
    assert result.outcome is Outcome.RETRY
    assert result.error is not None and "TimeoutError" in result.error


async def test_connection_refused_is_retried(db: Database, registry: CollectorRegistry) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sms = TwilioSmsSender(
        account_sid="AC" + "0" * 32,
        auth_token="x",
        from_number=FROM,
        opt_outs=SqlRecords(db),
        metrics=SenderMetrics(registry),
        api_base=f"http://127.0.0.1:{port}",
    )
    try:
        result = await sms.send(OutboundMessage(citizen(), "测试"))
    finally:
        await sms.aclose()
    assert result.outcome is Outcome.RETRY


async def test_sends_overlap_instead_of_blocking_the_loop(
    sender: TwilioSmsSender, fake: FakeTwilio
) -> None:
    fake.delay_s = 0.2
    results = await asyncio.gather(
        *(sender.send(OutboundMessage(citizen(), f"第{i}条")) for i in range(5))
    )
    assert all(r.outcome is Outcome.SENT for r in results)
    assert len({r.provider_ref for r in results}) == 5
    assert fake.max_in_flight == 5


async def test_messaging_service_sid_as_sender(
    fake: FakeTwilio, db: Database, registry: CollectorRegistry
) -> None:
    sms = TwilioSmsSender(
        account_sid=fake.account_sid,
        auth_token=fake.auth_token,
        from_number="MG" + "2" * 32,
        opt_outs=SqlRecords(db),
        metrics=SenderMetrics(registry),
        api_base=fake.base_url,
    )
    try:
        assert (await sms.send(OutboundMessage(citizen(), "测试"))).ok
    finally:
        await sms.aclose()
    assert fake.last_payload()["MessagingServiceSid"] == "MG" + "2" * 32
    assert "From" not in fake.last_payload()


async def test_built_from_config(
    make_config: Callable[..., Config], fake: FakeTwilio, db: Database
) -> None:
    config = make_config(
        server={"public_url": PUBLIC_URL + "/"},
        channels={
            "sms": {
                "enabled": True,
                "account_sid": fake.account_sid,
                "auth_token": fake.auth_token,
                "from_number": FROM,
                "api_base": fake.base_url,
            }
        },
    )
    sms = sms_sender_from_config(
        config.channels.sms,
        config.server.public_url,
        opt_outs=SqlRecords(db),
        metrics=SenderMetrics(CollectorRegistry()),
    )
    try:
        assert isinstance(sms, TwilioSmsSender)
        assert (await sms.send(OutboundMessage(citizen(), "测试"))).ok
    finally:
        await sms.aclose()
    assert fake.last_payload()["StatusCallback"] == PUBLIC_URL + STATUS_PATH


async def test_receipt_for_a_sent_message_updates_its_notification(
    sender: TwilioSmsSender,
    fake: FakeTwilio,
    db: Database,
    aiohttp_client: ClientFactory,
    make_config: Callable[..., Config],
) -> None:
    """Send through the fake, then let 'Twilio' post signed receipts to the SMS channel."""
    to = citizen()
    result = await sender.send(OutboundMessage(to, "您的港澳通行证已可领取。"))
    assert result.provider_ref is not None
    async with db.session.begin() as s:
        s.add(
            Notification(
                id=f"test-sms-{uuid.uuid4().hex[:20]}",
                channel="sms",
                recipient=to,
                body="您的港澳通行证已可领取。",
                status="queued",
                provider_ref=result.provider_ref,
            )
        )
    client = await aiohttp_client(channel_app(make_config, fake, db))
    for status in ("sent", "delivered"):
        form = fake.receipt(result.provider_ref, status, to=to)
        headers = fake.sign(PUBLIC_URL + STATUS_PATH, form)
        assert (await client.post(STATUS_PATH, data=form, headers=headers)).status == 200
    async with db.session() as s:
        query = select(Notification).where(Notification.provider_ref == result.provider_ref)
        row = (await s.execute(query)).scalar_one()
    assert row.status == "delivered"


def channel_app(make_config: Callable[..., Config], fake: FakeTwilio, db: Database) -> Any:
    config = make_config(
        server={"public_url": PUBLIC_URL},
        channels={
            "sms": {
                "enabled": True,
                "account_sid": fake.account_sid,
                "auth_token": fake.auth_token,
                "from_number": FROM,
            }
        },
    )

    async def handle(_: InboundMessage) -> list[Reply]:
        return [Reply("unused")]

    ctx = ChannelContext(config, handle, MemoryKeyValueStore(), SqlRecords(db))
    app = web.Application(middlewares=[error_middleware])
    app.add_routes(TwilioSmsChannel(ctx).routes())
    return app


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+15005550006", "+15005550006"),
        ("12345", "12345"),
    ],
)
def test_to_e164(raw: str, expected: str) -> None:
    assert to_e164(raw) == expected
