"""The synthetic catalogue of ``bench/search_scale.py``: deterministic, realistic, searchable."""

from __future__ import annotations

from collections import Counter

from bench.search_scale import VARIANTS, long_queries, synthetic_catalogue
from knowledge.base import KnowledgeBase
from knowledge.districts import DEFAULT_DISTRICTS
from knowledge.loader import load_catalogue
from tests.knowledge.conftest import SHIPPED_CATALOGUE


def test_synthetic_catalogue() -> None:
    shipped = load_catalogue(SHIPPED_CATALOGUE, DEFAULT_DISTRICTS)
    catalogue = synthetic_catalogue(shipped, 300, seed=7)
    assert catalogue == synthetic_catalogue(shipped, 300, seed=7)
    assert catalogue != synthetic_catalogue(shipped, 300, seed=8)
    services = catalogue.services
    assert len({s.id for s in services}) == 300
    assert len({s.name for s in services}) > 250  # recombined, not copies
    assert all(any(v in s.name for v in VARIANTS) for s in services)
    assert all(s.materials for s in services)
    real_names = {s.name for s in shipped.services}
    assert Counter(any(r in s.name for r in real_names) for s in services)[True] == 300
    kb = KnowledgeBase(catalogue)
    hits = kb.search("港澳通行证丢了怎么补办")
    assert 1 <= len(hits) <= 5 and "港澳" in hits[0].service.name


def test_long_queries() -> None:
    texts = long_queries(["身份证丢了怎么补", "港澳通行证多少钱"], 3, seed=1)
    assert len(texts) == 3 and all(len(t) >= 200 for t in texts)
    assert texts == long_queries(["身份证丢了怎么补", "港澳通行证多少钱"], 3, seed=1)
