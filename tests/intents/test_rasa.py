from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import NluConfig, RasaConfig
from intents.engine import NluEngine
from intents.rasa import (
    RasaHttpUnderstanding,
    RasaUnavailable,
    build_understanding,
    parse_from_rasa,
)
from tests.fakes.fake_rasa import FakeRasa


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    server = FakeRasa(token="secret")
    await server.start()
    yield server
    await server.stop()


async def test_maps_rasa_answer(rasa: FakeRasa) -> None:
    text = "护照多少钱"
    rasa.answer(
        text,
        "ask_fee",
        0.93,
        [
            {
                "entity": "service",
                "start": 0,
                "end": 2,
                "value": "护照",
                "extractor": "DIETClassifier",
                "confidence_entity": 0.88,
            }
        ],
    )
    nlu = RasaHttpUnderstanding(rasa.base_url, "secret", 1.0)
    try:
        parse = await nlu.parse(text)
    finally:
        await nlu.close()
    assert (parse.intent.name, parse.intent.confidence, parse.aspect) == ("ask_fee", 0.93, "fee")
    (ent,) = parse.entities
    assert (ent.entity, ent.start, ent.end, ent.text, ent.confidence) == (
        "service",
        0,
        2,
        "护照",
        0.88,
    )
    assert [r.name for r in parse.ranking] == ["ask_fee", "out_of_scope"]
    assert rasa.calls[0].body == {"text": text}
    assert rasa.calls[0].query == {"token": "secret"}
    assert parse.extras["backend"] == "rasa"


async def test_timeout_uses_fallback(rasa: FakeRasa, small_engine: NluEngine) -> None:
    rasa.delay_s = 0.5
    nlu = RasaHttpUnderstanding(rasa.base_url, "secret", 0.05, fallback=small_engine)
    try:
        parse = await nlu.parse("护照要带什么材料")
    finally:
        await nlu.close()
    assert parse.intent.name == "ask_materials"
    assert parse.extras["backend"] == "builtin-fallback"
    assert "Timeout" in parse.extras["rasa_error"]


@pytest.mark.parametrize("failure", ["http500", "garbage", "badtoken"])
async def test_errors_use_fallback(rasa: FakeRasa, small_engine: NluEngine, failure: str) -> None:
    token = "wrong" if failure == "badtoken" else "secret"
    if failure == "http500":
        rasa.fail_next(500)
    elif failure == "garbage":
        rasa.garbage_next()
    nlu = RasaHttpUnderstanding(rasa.base_url, token, 1.0, fallback=small_engine)
    try:
        parse = await nlu.parse("你好")
    finally:
        await nlu.close()
    assert parse.intent.name == "greet"
    assert parse.extras["backend"] == "builtin-fallback"
    assert rasa.called() == 1


async def test_without_fallback_raises_clear_error(rasa: FakeRasa) -> None:
    rasa.fail_next(503)
    nlu = RasaHttpUnderstanding(rasa.base_url, "secret", 1.0)
    try:
        with pytest.raises(RasaUnavailable, match="HTTP 503"):
            await nlu.parse("你好")
    finally:
        await nlu.close()


async def test_connection_refused_uses_fallback(small_engine: NluEngine) -> None:
    server = FakeRasa()
    url = await server.start()
    await server.stop()
    nlu = RasaHttpUnderstanding(url, None, 1.0, fallback=small_engine)
    try:
        parse = await nlu.parse("你好")
    finally:
        await nlu.close()
    assert parse.extras["backend"] == "builtin-fallback"


def test_parse_from_rasa_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError):
        parse_from_rasa({"hello": 1}, "x")
    parse = parse_from_rasa({"intent": {"name": None, "confidence": 0.0}}, "x")
    assert parse.intent.name == "nlu_fallback"


def test_build_understanding(small_engine: NluEngine) -> None:
    assert build_understanding(NluConfig(), small_engine) is small_engine
    rasa_cfg = NluConfig(backend="rasa", rasa=RasaConfig(url="http://127.0.0.1:1"))
    built = build_understanding(rasa_cfg, small_engine)
    assert isinstance(built, RasaHttpUnderstanding)
    assert built.url == "http://127.0.0.1:1/model/parse"
    with pytest.raises(ValueError):
        build_understanding(NluConfig(), None)
