"""The acceptance scenarios through POST /api/v1/chat on a catalogue the bot was not built
for, and the department ticket API (GET /api/v1/tickets)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import CORE_KEY, build_core, create_app
from bot.config import Config
from bot.tickets import NewTicket
from tests.dialogue.conftest import SettableClock

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]
ADMIN = "s3cret-admin-token"


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory,
    dialogue_config: Callable[..., Config],
    own_catalogue: Path,
    clock: SettableClock,
) -> TestClient[Any, Any]:
    config = dialogue_config(
        knowledge={"catalogue": str(own_catalogue)}, server={"admin_token": ADMIN}
    )
    return await aiohttp_client(create_app(config, build_core(config, clock=clock)))


async def chat(client: TestClient[Any, Any], text: str, sender: str = "citizen-1") -> str:
    resp = await client.post("/api/v1/chat", json={"sender": sender, "message": text})
    assert resp.status == 200
    body = await resp.json()
    assert all(item["recipient_id"] == sender for item in body)
    return "\n".join(item["text"] for item in body)


async def test_follow_up_questions_keep_the_service(client: TestClient[Any, Any]) -> None:
    first = await chat(client, "我想办狗证")
    assert "犬只登记证办理" in first
    fee = await chat(client, "那要多少钱")
    assert "犬只登记证办理" in fee and "100元" in fee
    materials = await chat(client, "要带什么材料")
    assert "犬只免疫证明" in materials


async def test_a_district_selects_the_office(client: TestClient[Any, Any]) -> None:
    await chat(client, "养犬登记怎么办理")
    office = await chat(client, "南山哪里能办")
    assert "南山区犬只登记点" in office
    assert "福田区犬只登记点" not in office


async def test_district_in_the_first_question_selects_the_office(
    client: TestClient[Any, Any],
) -> None:
    office = await chat(client, "福田区哪里可以办狗证")
    assert "福田区犬只登记点" in office and "南山区犬只登记点" not in office


async def test_senders_are_isolated(client: TestClient[Any, Any]) -> None:
    await chat(client, "我想办狗证", sender="alice")
    other = await chat(client, "那要多少钱", sender="bob")
    assert "犬只" not in other and "100元" not in other
    mine = await chat(client, "那要多少钱", sender="alice")
    assert "100元" in mine


async def test_a_new_service_replaces_the_context(client: TestClient[Any, Any]) -> None:
    await chat(client, "我想办狗证")
    library = await chat(client, "借书证要多少钱")
    assert "图书馆读者证办理" in library and "不收费" in library


async def test_handoff_request_answers_with_a_handoff(client: TestClient[Any, Any]) -> None:
    answer = await chat(client, "转人工")
    assert "人工客服" in answer
    assert "留言建单" in answer or "工单号" in answer


async def test_handoff_with_an_agent_online_opens_a_ticket(client: TestClient[Any, Any]) -> None:
    core = client.app[CORE_KEY]
    await core.dialogue.handoff.presence.heartbeat("agent-1")
    answer = await chat(client, "转人工")
    assert "正在为您转接人工客服" in answer
    (ticket,) = await core.dialogue.handoff.list_open()
    assert answer.count(ticket.ticket_no) == 1
    assert await chat(client, "我家狗丢了怎么办") == ""
    messages = await core.dialogue.handoff.messages(ticket.ticket_no)
    assert [m.text for m in messages] == ["我家狗丢了怎么办"]


async def test_case_status_question_asks_for_verification(client: TestClient[Any, Any]) -> None:
    answer = await chat(client, "我想查一下办件进度")
    assert "身份证号码后6位" in answer and "办件编号" in answer
    answer = await chat(client, "SZ20260301000123")
    assert "身份证号码后6位" in answer and "手机号码" in answer


async def test_every_webchat_reply_fits_an_sms(client: TestClient[Any, Any]) -> None:
    for text in ("狗证", "狗证要带什么", "狗证在哪办", "游艇泊位申请流程", "你好", "投诉"):
        resp = await client.post("/api/v1/chat", json={"sender": "len", "message": text})
        for item in await resp.json():
            buttons = [f"{i}. {b['title']}" for i, b in enumerate(item.get("buttons", []), 1)]
            assert len("\n".join([item["text"], *buttons])) <= 300


# ---- GET /api/v1/tickets ---------------------------------------------------------------


async def _make_tickets(client: TestClient[Any, Any]) -> None:
    tickets = client.app[CORE_KEY].dialogue.tickets
    for i in range(3):
        await tickets.create(NewTicket("complaint", "webchat", f"c{i}", summary=f"投诉{i}"))
    await tickets.create(NewTicket("callback", "sms", "13800000000", contact="13800000000"))


def _auth(token: str = ADMIN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_tickets_api_requires_a_bearer_token(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/api/v1/tickets")
    assert resp.status == 401
    assert "bearer" in (await resp.json())["error"]
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


async def test_tickets_api_rejects_an_unknown_token(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/api/v1/tickets", headers=_auth("wrong"))
    assert resp.status == 401
    assert (await resp.json())["error"] == "invalid token"


async def test_tickets_api_lists_newest_first_with_pagination(
    client: TestClient[Any, Any],
) -> None:
    await _make_tickets(client)
    resp = await client.get("/api/v1/tickets?limit=2", headers=_auth())
    assert resp.status == 200
    body = await resp.json()
    assert body["total"] == 4 and body["next_offset"] == 2
    assert [t["kind"] for t in body["items"]] == ["callback", "complaint"]
    rest = await (await client.get("/api/v1/tickets?limit=2&offset=2", headers=_auth())).json()
    assert [t["summary"] for t in rest["items"]] == ["投诉1", "投诉0"]
    assert rest["next_offset"] is None


async def test_tickets_api_filters_by_kind_and_status(client: TestClient[Any, Any]) -> None:
    await _make_tickets(client)
    tickets = client.app[CORE_KEY].dialogue.tickets
    first = (await tickets.find(kinds=("complaint",))).items[-1]
    await tickets.set_status(first.ticket_no, "closed")
    url = "/api/v1/tickets?kind=complaint&status=open"
    body = await (await client.get(url, headers=_auth())).json()
    assert body["total"] == 2
    assert all(t["kind"] == "complaint" and t["status"] == "open" for t in body["items"])


async def test_tickets_api_explains_bad_filters(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/api/v1/tickets?kind=praise", headers=_auth())
    assert resp.status == 400
    assert "kind" in (await resp.json())["error"]
    resp = await client.get("/api/v1/tickets?limit=0", headers=_auth())
    assert resp.status == 400


async def test_ticket_detail_includes_the_relayed_messages(client: TestClient[Any, Any]) -> None:
    queue = client.app[CORE_KEY].dialogue.handoff
    ticket = await queue.open("webchat", "c9", "市民请求人工服务")
    await queue.citizen_message(ticket.ticket_no, "你好")
    await queue.agent_reply(ticket.ticket_no, "agent-1", "您好，请讲")
    resp = await client.get(f"/api/v1/tickets/{ticket.ticket_no}", headers=_auth())
    body = await resp.json()
    assert body["agent"] == "agent-1" and body["status"] == "claimed"
    assert [(m["author"], m["text"]) for m in body["messages"]] == [
        ("citizen", "你好"),
        ("agent", "您好，请讲"),
    ]
    missing = await client.get("/api/v1/tickets/TS000", headers=_auth())
    assert missing.status == 404


async def test_complaint_by_chat_shows_up_in_the_api(client: TestClient[Any, Any]) -> None:
    await chat(client, "我要投诉福田区福华路的犬只登记点工作人员态度很差")
    confirmation = await chat(client, "跳过")
    assert "工单号：TS20260302" in confirmation
    body = await (await client.get("/api/v1/tickets?kind=complaint", headers=_auth())).json()
    (ticket,) = body["items"]
    assert ticket["ticket_no"] in confirmation
    assert ticket["location"] == "福田区" and "态度很差" in ticket["summary"]
