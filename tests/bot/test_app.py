"""The composition root: NLU backends and the Rasa-compatible parse route on the hub."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Config
from tests.fakes.fake_rasa import FakeRasa

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa(token="s3cret")
    await fake.start()
    yield fake
    await fake.stop()


async def test_model_parse_route_answers_in_rasa_shape(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await aiohttp_client(create_app(config))
    resp = await client.post("/model/parse", json={"text": "我的办件SZ20261103000123到哪一步了"})
    assert resp.status == 200
    body = await resp.json()
    assert set(body) >= {"text", "intent", "entities", "intent_ranking"}
    assert body["intent"]["name"] == "query_case_status"
    case = [e for e in body["entities"] if e["entity"] == "case_no"]
    assert case and case[0]["value"] == "SZ20261103000123"
    assert body["text"][case[0]["start"] : case[0]["end"]] == "SZ20261103000123"


async def test_rasa_backend_is_used_by_the_hub(
    aiohttp_client: ClientFactory, make_config: Callable[..., Config], rasa: FakeRasa
) -> None:
    config = make_config(nlu={"backend": "rasa", "rasa": {"url": rasa.base_url, "token": "s3cret"}})
    rasa.answer("你好呀", "greet", 0.97)
    client = await aiohttp_client(create_app(config))
    resp = await client.post("/api/v1/chat", json={"sender": "r1", "message": "你好呀"})
    assert resp.status == 200
    assert rasa.called() == 1
    assert rasa.calls[0].query == {"token": "s3cret"}


async def test_rasa_failure_falls_back_to_builtin_model(
    aiohttp_client: ClientFactory, make_config: Callable[..., Config], rasa: FakeRasa
) -> None:
    config = make_config(nlu={"backend": "rasa", "rasa": {"url": rasa.base_url, "token": "s3cret"}})
    client = await aiohttp_client(create_app(config))
    rasa.fail_next(500)
    resp = await client.post("/model/parse", json={"text": "港澳通行证要带什么材料"})
    body = await resp.json()
    assert rasa.called() == 1
    assert body["intent"]["name"] == "ask_materials"
