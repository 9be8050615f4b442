"""Web chat REST + WebSocket end to end through the whole app (aiohttp test client)."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Config

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def client(aiohttp_client: ClientFactory, config: Config) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(config))


@pytest.mark.parametrize("path", ["/api/v1/chat", "/webhooks/rest/webhook"])
async def test_question_gets_catalogue_answer(client: TestClient[Any, Any], path: str) -> None:
    resp = await client.post(path, json={"sender": "u1", "message": "港澳通行证要带什么材料"})
    assert resp.status == 200
    body = await resp.json()
    assert isinstance(body, list) and body
    assert body[0]["recipient_id"] == "u1"
    assert "港澳" in body[0]["text"]
    assert "1." in body[0]["text"]  # materials are numbered


async def test_answer_has_rasa_shape(client: TestClient[Any, Any]) -> None:
    resp = await client.post("/api/v1/chat", json={"sender": "u2", "message": "今天天气怎么样"})
    body = await resp.json()
    for item in body:
        assert set(item) <= {"recipient_id", "text", "buttons", "links"}
        for button in item.get("buttons", []):
            assert set(button) == {"title", "payload"}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"{not json", "malformed JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b"", "request body is empty"),
        (b'{"message": "hi"}', "'sender' is required"),
        (b'{"sender": "u"}', "'message' is required"),
        (b'{"sender": "u", "message": "   "}', "must not be empty"),
        (b'{"sender": "u", "message": 42}', "'message' must be a string"),
        (b'{"sender": 7, "message": "hi"}', "'sender' must be a non-empty string"),
        (b'{"sender": "u", "message": "hi", "metadata": []}', "'metadata' must be an object"),
        ('{"sender": "u", "message": "\xff"}'.encode("latin-1"), "not valid UTF-8"),
    ],
)
async def test_bad_input_gets_4xx_that_says_what_is_wrong(
    client: TestClient[Any, Any], payload: bytes, fragment: str
) -> None:
    resp = await client.post(
        "/api/v1/chat", data=payload, headers={"Content-Type": "application/json"}
    )
    assert 400 <= resp.status < 500
    assert fragment in (await resp.json())["error"]


async def test_one_megabyte_message_is_refused_and_server_keeps_serving(
    client: TestClient[Any, Any],
) -> None:
    big = {"sender": "u", "message": "港" * (1024 * 1024)}
    resp = await client.post("/api/v1/chat", json=big)
    assert resp.status == 413
    assert "too large" in (await resp.json())["error"]
    ok = await client.post("/api/v1/chat", json={"sender": "u", "message": "身份证怎么补办"})
    assert ok.status == 200


async def test_overlong_message_under_body_limit_is_refused(client: TestClient[Any, Any]) -> None:
    resp = await client.post("/api/v1/chat", json={"sender": "u", "message": "问" * 5000})
    assert resp.status == 413
    assert "longer than" in (await resp.json())["error"]


async def test_websocket_turn_and_bad_frames(client: TestClient[Any, Any]) -> None:
    ws = await client.ws_connect("/chat/ws")
    await ws.send_json({"sender": "w1", "message": "驾驶证到期换证要多少钱"})
    frame = await ws.receive_json()
    assert frame["type"] == "bot"
    assert frame["messages"][0]["recipient_id"] == "w1"
    assert "驾驶证" in frame["messages"][0]["text"]
    await ws.send_str("not json")
    assert "malformed JSON" in (await ws.receive_json())["error"]
    await ws.send_json({"sender": "w1"})
    assert "'message' is required" in (await ws.receive_json())["error"]
    await ws.send_json({"sender": "w1", "message": "公积金怎么提取"})
    assert (await ws.receive_json())["type"] == "bot"
    await ws.close()


async def test_demo_page_and_widget_are_served(client: TestClient[Any, Any]) -> None:
    page = await client.get("/chat")
    assert page.status == 200
    assert "widget.js" in await page.text()
    widget = await client.get("/chat/widget.js")
    assert widget.status == 200
    assert widget.headers["Content-Type"].startswith("application/javascript")


async def test_health_ready_and_metrics(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["checks"] == {"database": True, "coordination": True}
    await client.post("/api/v1/chat", json={"sender": "m", "message": "社保卡丢了怎么办"})
    metrics = await (await client.get("/metrics")).text()
    assert "hub_messages_total" in metrics
    assert 'channel="webchat"' in metrics


async def test_unknown_route_is_json_404(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/nope")
    assert resp.status == 404
    assert "error" in await resp.json()


async def test_answers_are_utf8_json_not_escaped(client: TestClient[Any, Any]) -> None:
    resp = await client.post("/api/v1/chat", json={"sender": "u8", "message": "身份证补办要多少钱"})
    raw = await resp.read()
    assert resp.headers["Content-Type"].startswith("application/json")
    assert "身份证".encode() in raw
    assert b"\\u" not in raw
