"""Dialogue behaviour beyond the stories: scale-out state, silence while handed off,
lockout scope and expiry, log masking, reply length on every service, channel events."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import Core, build_core
from bot.case_fixtures import load_case_fixture
from bot.config import Config
from bot.dialogue import build_dialogue
from bot.hub import Hub
from bot.messages import InboundMessage
from bot.metrics import Metrics
from intents.types import Parse, Understanding
from tests.conftest import REDIS_URL
from tests.dialogue.conftest import SettableClock, plain, talk

FIXTURE = Path(__file__).resolve().parents[2] / "stories" / "fixtures" / "cases.yml"
CASE = "SZ20260301000123"


async def _with_cases(core: Core) -> Core:
    await core.dialogue.cases.upsert(load_case_fixture(FIXTURE))
    return core


async def test_a_conversation_continues_on_another_replica(
    dialogue_config: Callable[..., Config], clock: SettableClock
) -> None:
    config = dialogue_config(
        storage={"redis_url": REDIS_URL, "key_prefix": f"test-{uuid.uuid4().hex[:8]}:"}
    )
    first, second = build_core(config, clock=clock), build_core(config, clock=clock)
    await first.start()
    try:
        assert "普通护照换发补发" in plain(await talk(first, "护照过期了想换一本新的"))
        fee = plain(await talk(second, "那要多少钱"))
        assert "普通护照换发补发" in fee and "收费" in fee
        await second.dialogue.handoff.presence.heartbeat("agent-on-second")
        assert "正在为您转接人工客服" in plain(await talk(first, "转人工"))
        assert await talk(second, "我还有个问题") == []
    finally:
        await first.close()
        await second.close()


class CountingUnderstanding:
    def __init__(self, inner: Understanding) -> None:
        self.inner = inner
        self.calls = 0

    async def parse(self, text: str) -> Parse:
        self.calls += 1
        return await self.inner.parse(text)


async def test_no_nlu_and_no_answer_while_handed_off(core: Core) -> None:
    nlu = CountingUnderstanding(core.dialogue.policy.deps.understanding)
    parts = build_dialogue(
        core.config, core.db, core.coordination, core.kb, nlu, core.dialogue.policy.deps.clock
    )
    hub = Hub(parts.policy, core.coordination.locks, Metrics())
    await parts.handoff.presence.heartbeat("a1")
    await hub.handle(InboundMessage("webchat", "u1", "转人工"))
    calls = nlu.calls
    for text in ("护照要带什么材料", "换个问题", "转人工", "谢谢"):
        assert await hub.handle(InboundMessage("webchat", "u1", text)) == []
    assert nlu.calls == calls
    (ticket,) = await parts.handoff.list_open()
    relayed = [m.text for m in await parts.handoff.messages(ticket.ticket_no)]
    assert relayed == ["护照要带什么材料", "换个问题", "转人工", "谢谢"]
    back = await hub.handle(InboundMessage("webchat", "u1", "结束人工"))
    assert "已结束人工服务" in plain(back)
    assert "普通护照" in plain(
        await hub.handle(InboundMessage("webchat", "u1", "护照换发要带什么"))
    )


async def _fail_three_times(core: Core, sender: str) -> str:
    await talk(core, f"查进度 {CASE}", sender)
    for wrong in ("111111", "222222"):
        await talk(core, wrong, sender)
    return plain(await talk(core, "333333", sender))


async def test_lockout_is_per_case_and_sender(core: Core) -> None:
    await _with_cases(core)
    assert "验证失败次数过多" in await _fail_three_times(core, "mallory")
    assert "验证失败次数过多" in plain(await talk(core, f"查进度 {CASE} 01123X", "mallory"))
    assert "审核中" in plain(await talk(core, f"查进度 {CASE} 01123X", "alice"))
    other = plain(await talk(core, "查进度 SZ20260215000456 124562", "mallory"))
    assert "可到受理点领取" in other


async def test_lockout_ends_after_the_lock_time(
    dialogue_config: Callable[..., Config], clock: SettableClock
) -> None:
    core = build_core(dialogue_config(dialogue={"verification_lock_s": 1}), clock=clock)
    await core.start()
    try:
        await _with_cases(core)
        assert "暂停查询1分钟" in await _fail_three_times(core, "u1")
        await asyncio.sleep(1.2)
        assert "审核中" in plain(await talk(core, f"查进度 {CASE} 01123X", "u1"))
    finally:
        await core.close()


async def test_lockout_works_on_redis(
    dialogue_config: Callable[..., Config], clock: SettableClock
) -> None:
    config = dialogue_config(
        storage={"redis_url": REDIS_URL, "key_prefix": f"test-{uuid.uuid4().hex[:8]}:"}
    )
    core = build_core(config, clock=clock)
    await core.start()
    try:
        await _with_cases(core)
        assert "验证失败次数过多" in await _fail_three_times(core, "u1")
        assert "审核中" not in plain(await talk(core, f"查进度 {CASE} 01123X", "u1"))
    finally:
        await core.close()


async def test_case_number_wins_over_the_intent_while_waiting_for_it(core: Core) -> None:
    await _with_cases(core)
    await talk(core, "查进度")
    answer = plain(await talk(core, f"编号是{CASE}，怎么还没办好，太慢了我要投诉"))
    assert "身份证号码后6位" in answer


async def test_logs_never_show_id_or_phone_numbers(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    await _with_cases(core)
    caplog.set_level(logging.DEBUG, logger="citizen_hub")
    await talk(core, f"查进度 {CASE} 身份证44030519900101123X")
    await talk(core, f"查进度 {CASE} 13812345679", "u2")
    await talk(core, "我要投诉南山区科技园路灯坏了没人修", "u3")
    await talk(core, "13812345678", "u3")
    assert "case verified" in caplog.text and "complaint ticket" in caplog.text
    assert "审核中" not in caplog.text  # nothing of the case content either
    for secret in ("44030519900101123X", "13812345679", "13812345678"):
        assert secret not in caplog.text


ASPECT_QUESTIONS = ("要带什么材料", "在哪里办", "多少钱", "要多久", "什么条件", "怎么办理")


async def test_every_reply_fits_an_sms_for_every_service(core: Core) -> None:
    for number, service in enumerate(core.kb.catalogue.services):
        sender = f"sweep-{number}"
        for question in ASPECT_QUESTIONS:
            replies = await talk(core, f"{service.name}{question}", sender, channel="sms")
            assert replies
            for reply in replies:
                assert len(reply.as_plain_text()) <= 300, (service.id, question)


async def test_wechat_follow_event_gets_the_welcome(core: Core) -> None:
    follow = InboundMessage("wechat", "openid-1", "", {"event": "subscribe"})
    assert "欢迎关注" in plain(await core.hub.handle(follow))
    leave = InboundMessage("wechat", "openid-1", "", {"event": "unsubscribe"})
    assert await core.hub.handle(leave) == []
    click = InboundMessage("wechat", "openid-1", "办件进度查询", {"event": "click"})
    assert "办件编号" in plain(await core.hub.handle(click))


async def test_an_offered_option_is_picked_by_its_number(core: Core) -> None:
    first = await talk(core, "公积金提取", channel="sms")
    options = [b.title for r in first for b in r.buttons]
    assert len(options) >= 2
    second = plain(await talk(core, "2", channel="sms"))
    assert f"【{options[1]}】" in second


async def test_ticket_number_uses_the_local_date(core: Core, clock: SettableClock) -> None:
    from datetime import UTC, datetime

    clock.moment = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 04:00 on 3 March in Shenzhen
    await talk(core, "我要投诉南山区科技园的路灯坏了一个月没人修")
    assert "TS202603030001" in plain(await talk(core, "跳过"))
