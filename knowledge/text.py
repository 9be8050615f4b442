"""Text helpers shared by search, aspect and district detection.

- ``normalized``: ``normalize_loose`` (OpenCC t2s, NFKC, lower case ...) cached on the raw
  text: a chat turn asks for the aspect, the district and the services of the same message,
  and OpenCC in pure Python costs tens of microseconds per call;
- ``WordFinder``: which words of a fixed vocabulary occur anywhere in a text (overlapping
  occurrences included), indexed by first character, so a question is scanned once instead
  of testing ``word in text`` for every word of the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from intents.normalize import normalize_loose

NORMALIZED_CACHE_SIZE = 4096


@lru_cache(maxsize=NORMALIZED_CACHE_SIZE)
def normalized(text: str) -> str:
    """``normalize_loose(text)``, cached."""
    return normalize_loose(text)


class WordFinder:
    """Occurrences of a fixed set of (non-empty) words in texts."""

    def __init__(self, words: Iterable[str]) -> None:
        by_first: dict[str, list[str]] = {}
        ordered = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
        for word in ordered:
            by_first.setdefault(word[0], []).append(word)
        self._by_first = {ch: tuple(ws) for ch, ws in by_first.items()}
        # An alternation tries its branches in order: longest word first at each position.
        alternation = "|".join(re.escape(w) for w in ordered)
        self._longest = re.compile(f"(?=({alternation}))") if ordered else None

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def occurrences(self, text: str) -> Iterator[tuple[int, str]]:
        """(position, word) of every occurrence, by position, longest word first."""
        by_first = self._by_first
        for i, ch in enumerate(text):
            for word in by_first.get(ch, ()):
                if text.startswith(word, i):
                    yield i, word

    def longest(self, text: str) -> Iterator[tuple[int, str]]:
        """(position, word) of the longest word starting at each position where one does."""
        if self._longest is not None:
            for match in self._longest.finditer(text):
                yield match.start(), match.group(1)

    def present(self, text: str) -> set[str]:
        """The words that occur in ``text``."""
        return {word for _, word in self.occurrences(text)}
