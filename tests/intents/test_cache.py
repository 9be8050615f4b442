"""The parse cache: identical answers to parse_sync, keyed by the reference date, bounded."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import date

from intents.cache import ParseCache
from intents.engine import NluEngine
from intents.normalize import CACHE_MAX_CHARS, normalize, normalize_loose
from intents.types import IntentScore, Parse

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)


def _counting() -> tuple[list[str], Callable[[str, date], Parse]]:
    calls: list[str] = []

    def parse(text: str, today: date) -> Parse:
        calls.append(f"{text}@{today}")
        return Parse(text, IntentScore("x", 1.0))

    return calls, parse


def test_cached_parse_equals_parse_sync(shipped_engine: NluEngine) -> None:
    texts = ["护照要带什么材料", "我明天去福田办营业执照", "你好", "SZ20240101000001 进度", " "]
    for text in texts:
        first = shipped_engine.parse_cached(text, MONDAY)
        again = shipped_engine.parse_cached(text, MONDAY)
        assert first == shipped_engine.parse_sync(text, today=MONDAY)
        assert again is first


def test_relative_dates_are_keyed_by_the_day(shipped_engine: NluEngine) -> None:
    text = "我明天去福田办营业执照"
    monday = shipped_engine.parse_cached(text, MONDAY)
    tuesday = shipped_engine.parse_cached(text, TUESDAY)
    assert monday.first("date") != tuesday.first("date")
    assert tuesday == shipped_engine.parse_sync(text, today=TUESDAY)


async def test_parse_uses_the_cache(small_engine: NluEngine) -> None:
    before = small_engine.parse_cache.hits
    first = await small_engine.parse("护照多少钱")
    assert await small_engine.parse("护照多少钱") is first
    assert small_engine.parse_cache.hits >= before + 1


def test_cache_is_bounded_and_keeps_recent_entries() -> None:
    cache = ParseCache(maxsize=3)
    calls, parse = _counting()
    for text in ["a", "b", "c", "a", "d"]:  # "a" is used again, so "b" is the oldest
        cache.get_or_parse(text, MONDAY, parse)
    assert len(cache) == 3
    cache.get_or_parse("a", MONDAY, parse)
    cache.get_or_parse("b", MONDAY, parse)
    # "b" was evicted (parsed again); "a" was kept (not parsed again)
    assert [c.split("@")[0] for c in calls] == ["a", "b", "c", "d", "b"]
    assert len(cache) == 3


def test_long_texts_are_not_cached() -> None:
    cache = ParseCache(maxsize=10, max_chars=5)
    calls, parse = _counting()
    for _ in range(2):
        cache.get_or_parse("长" * 6, MONDAY, parse)
    assert len(calls) == 2 and len(cache) == 0


def test_pickled_engine_leaves_the_cache_behind(small_engine: NluEngine) -> None:
    small_engine.parse_cached("你好", MONDAY)
    restored = pickle.loads(pickle.dumps(small_engine))
    assert len(restored.parse_cache) == 0
    assert restored.parse_cached("你好", MONDAY) == small_engine.parse_cached("你好", MONDAY)


def test_normalisation_memo_gives_the_same_text() -> None:
    short = "第一次辦港澳通行證要幾天？ＡＢＣ"
    long = short * (CACHE_MAX_CHARS // len(short) + 1)
    for text in (short, long):  # the short one is memoised, the long one is not
        expected = "第一次办港澳通行证要几天?abc" * (len(text) // len(short))
        assert normalize(text) == normalize(text) == expected
        assert normalize_loose(text) == normalize_loose(text) == expected
