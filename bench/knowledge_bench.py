"""Catalogue search benchmark: prints one JSON document.

- eval figures (``knowledge.evaluate``) of the shipped catalogue on the shipped queries;
- index build time (catalogue loaded, tokenizer and BM25F postings built);
- search latency in ms over all queries: after one warm-up pass, every query is searched
  ``--passes`` times; per query the median is kept (the machine may be shared), and p50/p99/
  max are taken over queries. ``raw_p99_ms`` is the p99 of every single call.

Usage: .venv/bin/python bench/knowledge_bench.py [--catalogue DIR] [--queries FILE] [--passes 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.districts import DEFAULT_DISTRICTS  # noqa: E402
from knowledge.evaluate import evaluate, load_queries  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latency(kb: KnowledgeBase, texts: list[str], passes: int) -> dict[str, float]:
    for text in texts:
        kb.search(text)
    medians: list[float] = []
    every: list[float] = []
    for text in texts:
        runs = []
        for _ in range(passes):
            start = time.perf_counter()
            kb.search(text)
            runs.append((time.perf_counter() - start) * 1000)
        medians.append(statistics.median(runs))
        every += runs
    return {
        "p50_ms": round(percentile(medians, 0.50), 3),
        "p99_ms": round(percentile(medians, 0.99), 3),
        "max_ms": round(max(medians), 3),
        "raw_p99_ms": round(percentile(every, 0.99), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", type=Path, default=ROOT / "knowledge" / "catalogue")
    parser.add_argument("--queries", type=Path, default=ROOT / "knowledge" / "eval" / "queries.yml")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    kb = KnowledgeBase.load(args.catalogue, DEFAULT_DISTRICTS)
    build_ms = (time.perf_counter() - start) * 1000
    queries = load_queries(args.queries, kb.catalogue)
    result: dict[str, Any] = {
        "services": len(kb.catalogue.services),
        "queries": len(queries),
        "build_ms": round(build_ms, 1),
        "eval": evaluate(kb, queries),
        "search_latency": latency(kb, [q.text for q in queries], args.passes),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
