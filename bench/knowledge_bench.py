"""Catalogue search benchmark: prints one JSON document.

- eval figures (``knowledge.evaluate``) of the shipped catalogue on the shipped queries;
- index build time (catalogue loaded, tokenizer and BM25F postings built);
- search latency in ms over all queries: after one warm-up pass, every query is searched
  ``--passes`` times; per query the median is kept (the machine may be shared), and p50/p99/
  max are taken over queries. ``raw_p99_ms`` is the p99 of every single call.
  ``search_latency`` repeats each text (its analysis is cached, as for a message searched
  again: the dialogue also searches a reply's remainder); ``search_latency_uncached`` clears
  every cache first (``clear_caches``), as for a message never seen before;
- ``aspect_ms_p50`` / ``district_ms_p50``: ``detect_aspect`` / ``find_district`` with the
  knowledge base's caches cleared before each call but the message already normalised (as in
  a chat turn: the NLU and the search normalise it first); ``*_uncached`` clear that too.

Usage: .venv/bin/python bench/knowledge_bench.py [--catalogue DIR] [--queries FILE] [--passes 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import intents.normalize  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.districts import DEFAULT_DISTRICTS  # noqa: E402
from knowledge.evaluate import evaluate, load_queries  # noqa: E402
from knowledge.text import normalized  # noqa: E402

Call = Callable[[str], object]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def clear_all(kb: KnowledgeBase) -> None:
    """Every cache a first-time message misses: the knowledge base's, and the NLU's
    normalisation memo (``intents.normalize``) when it keeps one."""
    kb.clear_caches()
    for name in ("_normalize_cached", "_normalize_loose_cached"):
        cache_clear = getattr(getattr(intents.normalize, name, None), "cache_clear", None)
        if cache_clear is not None:
            cache_clear()


def medians(call: Call, texts: list[str], passes: int, before: Call | None) -> list[list[float]]:
    """Per text, the milliseconds of ``passes`` calls (``before(text)`` untimed first)."""
    for text in texts:  # warm-up
        call(text)
    runs: list[list[float]] = []
    for text in texts:
        times = []
        for _ in range(passes):
            if before is not None:
                before(text)
            start = time.perf_counter()
            call(text)
            times.append((time.perf_counter() - start) * 1000)
        runs.append(times)
    return runs


def latency(runs: list[list[float]]) -> dict[str, float]:
    per_text = [statistics.median(r) for r in runs]
    every = [t for r in runs for t in r]
    return {
        "p50_ms": round(percentile(per_text, 0.50), 4),
        "p99_ms": round(percentile(per_text, 0.99), 4),
        "max_ms": round(max(per_text), 4),
        "raw_p99_ms": round(percentile(every, 0.99), 4),
    }


def p50(runs: list[list[float]]) -> float:
    return round(percentile([statistics.median(r) for r in runs], 0.50), 4)


def timings(kb: KnowledgeBase, texts: list[str], passes: int) -> dict[str, Any]:
    def uncached(_: str) -> None:
        clear_all(kb)

    def normalised(text: str) -> None:
        clear_all(kb)
        normalized(text)

    return {
        "search_latency": latency(medians(kb.search, texts, passes, None)),
        "search_latency_uncached": latency(medians(kb.search, texts, passes, uncached)),
        "aspect_ms_p50": p50(medians(kb.detect_aspect, texts, passes, normalised)),
        "district_ms_p50": p50(medians(kb.find_district, texts, passes, normalised)),
        "aspect_ms_p50_uncached": p50(medians(kb.detect_aspect, texts, passes, uncached)),
        "district_ms_p50_uncached": p50(medians(kb.find_district, texts, passes, uncached)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--catalogue", type=Path, default=ROOT / "knowledge" / "catalogue")
    parser.add_argument("--queries", type=Path, default=ROOT / "knowledge" / "eval" / "queries.yml")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    kb = KnowledgeBase.load(args.catalogue, DEFAULT_DISTRICTS)
    build_ms = (time.perf_counter() - start) * 1000
    gc.collect()  # as ``citizen-hub serve`` does once started
    gc.freeze()
    queries = load_queries(args.queries, kb.catalogue)
    result: dict[str, Any] = {
        "services": len(kb.catalogue.services),
        "queries": len(queries),
        "build_ms": round(build_ms, 1),
        "eval": evaluate(kb, queries),
        **timings(kb, [q.text for q in queries], args.passes),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
