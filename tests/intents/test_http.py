from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from intents.engine import NluEngine
from intents.http import parse_routes
from intents.rasa import RasaHttpUnderstanding

from .conftest import valid_id


def _app(understanding: Any) -> web.Application:
    app = web.Application()
    app.add_routes(parse_routes(understanding))
    return app


async def test_model_parse_rasa_shape(aiohttp_client: Any, small_engine: NluEngine) -> None:
    client = await aiohttp_client(_app(small_engine))
    text = f"身份证{valid_id()}的护照办到哪了"
    resp = await client.post("/model/parse", json={"text": text, "message_id": "m1"})
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {"text", "intent", "entities", "intent_ranking"}
    assert body["text"] == text
    assert set(body["intent"]) == {"name", "confidence"}
    for ent in body["entities"]:
        assert {"entity", "start", "end", "value", "extractor", "confidence_entity"} <= set(ent)
        if ent["entity"] == "id_number":
            assert text[ent["start"] : ent["end"]] == valid_id()
    assert body["intent_ranking"][0]["name"] == body["intent"]["name"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b"{}", "missing 'text'"),
        (b'{"text": 5}', "must be a string"),
        (('{"text": "' + "长" * 2001 + '"}').encode(), "longer than 2000"),
    ],
)
async def test_model_parse_bad_requests(
    aiohttp_client: Any, small_engine: NluEngine, data: bytes, message: str
) -> None:
    client = await aiohttp_client(_app(small_engine))
    resp = await client.post(
        "/model/parse", data=data, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    body = await resp.json()
    assert body["status"] == "failure" and body["code"] == 400
    assert message in body["message"]


async def test_model_parse_backend_down_is_503(aiohttp_client: Any) -> None:
    rasa = RasaHttpUnderstanding("http://127.0.0.1:1", None, 0.5)
    client = await aiohttp_client(_app(rasa))
    try:
        resp = await client.post("/model/parse", json={"text": "你好"})
        assert resp.status == 503
        assert (await resp.json())["reason"] == "ServiceUnavailable"
    finally:
        await rasa.close()
