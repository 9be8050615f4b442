"""KnowledgeFacts: the knowledge base's answers per text, memoised, bounded, unchanged."""

from __future__ import annotations

from pathlib import Path

from bot.dialogue.memo import MAX_CHARS, KnowledgeFacts, memoised
from intents.places import SHENZHEN_DISTRICTS
from knowledge.base import KnowledgeBase

CATALOGUE = Path(__file__).resolve().parents[2] / "knowledge" / "catalogue"
QUESTIONS = ["港澳通行证要带什么材料", "南山哪里可以办护照", "社保卡丢了怎么补", "今天天气怎么样"]


def test_facts_equal_the_knowledge_base() -> None:
    kb = KnowledgeBase.load(CATALOGUE, SHENZHEN_DISTRICTS)
    facts = KnowledgeFacts(kb)
    for text in QUESTIONS:
        assert facts.search(text) == tuple(kb.search(text, k=5))
        assert facts.search(text, k=1) == tuple(kb.search(text, k=1))
        assert facts.search(text, k=3) == tuple(kb.search(text, k=3))
        assert facts.detect_aspect(text) == kb.detect_aspect(text)
        assert facts.find_district(text) == kb.find_district(text)
        assert facts.search(text) is facts.search(text)  # the second answer is the memo


def test_memo_is_bounded_and_skips_long_texts() -> None:
    calls: list[str] = []

    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = memoised(upper, maxsize=2)
    for text in ["a", "b", "a", "c", "b"]:  # "b" is evicted by "c" ("a" was used again)
        assert memo(text) == text.upper()
    assert calls == ["a", "b", "c", "b"]
    long = "x" * (MAX_CHARS + 1)
    assert memo(long) == memo(long) == long.upper()
    assert calls[-2:] == [long, long]


def test_service_named_is_the_first_with_that_name_or_alias() -> None:
    kb = KnowledgeBase.load(CATALOGUE, SHENZHEN_DISTRICTS)
    facts = KnowledgeFacts(kb)
    names = {n for s in kb.catalogue.services for n in (s.name, *s.aliases)} | {"不存在的事项"}
    for name in names:
        expected = next(
            (s for s in kb.catalogue.services if name == s.name or name in s.aliases), None
        )
        assert facts.service_named(name) is expected
