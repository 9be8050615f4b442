"""Caches (analysed questions, aspects, districts, segmentations) never change an answer;
ties and bounds of the ranking."""

from __future__ import annotations

from knowledge.base import KnowledgeBase
from knowledge.schema import Catalogue

TEXTS = ["身份证丢了怎么补", "南山第一次办身份证要带啥", "租房提公基金", "今天天气怎么样", ""]


def answers(kb: KnowledgeBase) -> list[object]:
    return [
        (
            [(h.service.id, h.score, h.confidence) for h in kb.search(t)],
            kb.detect_aspect(t),
            kb.find_district(t),
        )
        for t in TEXTS
    ]


def test_cached_answers_equal_fresh_ones(tiny_kb: KnowledgeBase) -> None:
    tiny_kb.clear_caches()
    fresh = answers(tiny_kb)
    assert answers(tiny_kb) == fresh  # from the caches
    tiny_kb.clear_caches()
    assert answers(tiny_kb) == fresh


def test_callers_may_change_the_returned_list(tiny_kb: KnowledgeBase) -> None:
    hits = tiny_kb.search("身份证丢了")
    expected = list(hits)
    hits.clear()
    assert tiny_kb.search("身份证丢了") == expected


def test_equal_scores_are_ordered_by_id(tiny_kb: KnowledgeBase) -> None:
    first = tiny_kb.catalogue.services[0]
    twins = [first.model_copy(update={"id": sid}) for sid in ("twin-c", "twin-a", "twin-b")]
    kb = KnowledgeBase(Catalogue(services=(*tiny_kb.catalogue.services, *twins)))
    hits = kb.search("居民身份证首次申领", k=10)
    ids = [h.service.id for h in hits if h.service.name == first.name]
    assert ids == ["id-first", "twin-a", "twin-b", "twin-c"]
    assert len({h.score for h in hits if h.service.name == first.name}) == 1
    assert [h.service.id for h in kb.search("居民身份证首次申领", k=2)] == ids[:2]
    assert kb.search("居民身份证首次申领", k=0) == []


def test_get_returns_the_first_service_with_the_id(tiny_kb: KnowledgeBase) -> None:
    first = tiny_kb.catalogue.services[0]
    clash = first.model_copy(update={"name": "另一个事项"})
    kb = KnowledgeBase(Catalogue(services=(first, clash)))
    assert kb.get(first.id) is first
    assert kb.get("nope") is None
