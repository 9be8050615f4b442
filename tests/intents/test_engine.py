from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from intents.engine import FALLBACK_INTENT, NluEngine, NluSettings
from intents.evaluate import evaluate, format_table
from intents.loader import Example, TrainingData, load_training_data
from intents.types import Understanding

from .conftest import SHIPPED_TEST


def _split(data: TrainingData, per_intent: int, seed: int) -> tuple[list[Example], list[Example]]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in data.examples:
        by_intent[ex.intent].append(ex)
    rng = random.Random(seed)
    train: list[Example] = []
    test: list[Example] = []
    for name in sorted(by_intent):
        items = by_intent[name][:]
        rng.shuffle(items)
        train += items[:per_intent]
        test += items[per_intent:]
    return train, test


def test_parse_shape_and_aspect(small_engine: NluEngine) -> None:
    parse = small_engine.parse_sync("护照要带什么材料")
    assert parse.intent.name == "ask_materials"
    assert parse.aspect == "materials"
    assert 0.0 < parse.intent.confidence <= 1.0
    assert abs(sum(r.confidence for r in parse.ranking) - 1.0) < 0.01
    assert [r.confidence for r in parse.ranking] == sorted(
        (r.confidence for r in parse.ranking), reverse=True
    )
    rasa = parse.as_rasa()
    assert set(rasa) == {"text", "intent", "entities", "intent_ranking"}
    assert rasa["entities"][0] == {
        "entity": "service",
        "start": 0,
        "end": 2,
        "value": "护照",
        "extractor": "LookupEntityExtractor",
        "confidence_entity": 1.0,
        "confidence": 1.0,
    }


async def test_engine_is_an_understanding(small_engine: NluEngine) -> None:
    understanding: Understanding = small_engine
    parse = await understanding.parse("你好")
    assert parse.intent.name == "greet"


def test_low_confidence_falls_back(small_data: TrainingData) -> None:
    engine = NluEngine.train(small_data, settings=NluSettings(fallback_threshold=1.01))
    parse = engine.parse_sync("今天天气不错")
    assert parse.intent.name == FALLBACK_INTENT
    assert parse.aspect is None
    assert parse.extras["fallback"]["intent"] == parse.ranking[0].name
    assert engine.predicted_intent(parse) == parse.ranking[0].name


def test_empty_text_falls_back(small_engine: NluEngine) -> None:
    assert small_engine.parse_sync("   ").intent.name == FALLBACK_INTENT


def test_cues_generalise_beyond_training_words(small_engine: NluEngine) -> None:
    # None of these phrasings is in the training data; the cue concepts carry them.
    assert small_engine.parse_sync("工本费贵不贵").intent.name == "ask_fee"
    assert small_engine.parse_sync("复印件原件都要吗").intent.name == "ask_materials"


def test_classifier_sanity_on_shipped_split(shipped_data: TrainingData) -> None:
    train, test = _split(shipped_data, per_intent=25, seed=3)
    engine = NluEngine.train(shipped_data.with_examples(train))
    result = evaluate(engine, test)
    # The bench reports ~0.9; this floor only catches a broken classifier.
    assert result.report["intent"]["accuracy"] >= 0.7
    assert result.report["entities"]["f1"] >= 0.75


def test_shipped_test_file_report_shape(shipped_engine: NluEngine) -> None:
    test = load_training_data(SHIPPED_TEST)
    result = evaluate(shipped_engine, test.examples)
    report = result.report
    assert set(report) == {"n", "intent", "entities", "parse_ms_p50", "parse_ms_p99"}
    assert set(report["intent"]) == {"accuracy", "macro_f1", "per_intent"}
    assert set(report["entities"]) == {"precision", "recall", "f1", "per_entity"}
    assert report["n"] == len(test.examples)
    assert report["intent"]["accuracy"] >= 0.8
    assert "top confusions" in format_table(result) or not result.confusions


def test_save_and_load_round_trip(small_engine: NluEngine, tmp_path: Path) -> None:
    path = tmp_path / "m" / "model.pkl"
    small_engine.save(path)
    loaded = NluEngine.load(path)
    for text in ("护照多少钱", "查一下SZ20240101000001的进度", "你好"):
        a, b = small_engine.parse_sync(text), loaded.parse_sync(text)
        assert (a.intent, a.entities, a.ranking) == (b.intent, b.entities, b.ranking)


def test_with_examples_changes_hash(small_data: TrainingData) -> None:
    fewer = small_data.with_examples(small_data.examples[:-1])
    assert fewer.sha256 != small_data.sha256
    assert replace(small_data).sha256 == small_data.sha256
