"""What the catalogue says about one text, memoised.

The catalogue is fixed once the hub has started, so a text's search hits, the aspect it asks
about and the district it names never change. One turn asks for some of them several times
(intent cross-check, service pick, aspect and district resolution) and many citizens send
the same popular questions, so each is kept in a bounded LRU keyed by the text. Texts longer
than ``MAX_CHARS`` are computed every time, which keeps the memory held small.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from knowledge.base import KnowledgeBase
from knowledge.schema import Service
from knowledge.search import SearchHit

MAX_CHARS = 256
DEFAULT_SIZE = 4096
T = TypeVar("T")


def memoised(function: Callable[[str], T], maxsize: int) -> Callable[[str], T]:
    """``function`` with an LRU of ``maxsize`` entries for texts up to ``MAX_CHARS``."""
    cached = lru_cache(maxsize=maxsize)(function)

    def call(text: str) -> T:
        return cached(text) if len(text) <= MAX_CHARS else function(text)

    return call


class KnowledgeFacts:
    """Memoised ``search`` (top 5 and best 1), ``detect_aspect`` and ``find_district``,
    and the services by exact name or alias."""

    def __init__(self, kb: KnowledgeBase, maxsize: int = DEFAULT_SIZE) -> None:
        self.kb = kb
        self._by_name: dict[str, Service] = {}
        for service in kb.catalogue.services:  # the first service with that name or alias
            for name in (service.name, *service.aliases):
                self._by_name.setdefault(name, service)
        self._top5 = memoised(lambda text: tuple(kb.search(text, k=5)), maxsize)
        self._top1 = memoised(lambda text: tuple(kb.search(text, k=1)), maxsize)
        self.detect_aspect = memoised(kb.detect_aspect, maxsize)
        self.find_district = memoised(kb.find_district, maxsize)

    def service_named(self, name: str) -> Service | None:
        """The first catalogue service whose name or one of whose aliases is ``name``."""
        return self._by_name.get(name)

    def search(self, text: str, k: int = 5) -> tuple[SearchHit, ...]:
        if k == 5:
            return self._top5(text)
        if k == 1:
            return self._top1(text)
        return tuple(self.kb.search(text, k))
