"""Text helpers: the cached normalisation and the word finder."""

from __future__ import annotations

from intents.normalize import normalize_loose
from knowledge.text import WordFinder, normalized

WORDS = ("身份证", "身份", "份证", "证件", "居民身份证", "补办")


def brute_force(words: tuple[str, ...], text: str) -> set[tuple[int, str]]:
    return {(i, w) for w in words for i in range(len(text)) if text.startswith(w, i)}


def test_occurrences_include_overlapping_and_nested_words() -> None:
    finder = WordFinder(WORDS)
    text = "居民身份证件丢了，身份证补办"
    found = list(finder.occurrences(text))
    assert set(found) == brute_force(WORDS, text)
    assert found == sorted(found, key=lambda o: (o[0], -len(o[1])))  # by position, longest first
    assert finder.present(text) == {w for _, w in found}


def test_longest_word_at_each_position() -> None:
    finder = WordFinder(WORDS)
    assert list(finder.longest("居民身份证件")) == [
        (0, "居民身份证"),
        (2, "身份证"),
        (3, "份证"),
        (4, "证件"),
    ]
    assert list(finder.longest("没有")) == []


def test_empty_finder_finds_nothing() -> None:
    finder = WordFinder(["", ""])
    assert not finder
    assert finder.present("身份证") == set()
    assert list(finder.longest("身份证")) == []


def test_normalized_is_normalize_loose() -> None:
    for text in ("第一次辦港澳通行證要幾天", "  ＡＢＣ　身份证 ", ""):
        assert normalized(text) == normalize_loose(text)
