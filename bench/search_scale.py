"""Catalogue search at scale: a synthetic 10,000-service catalogue; prints one JSON document.

The catalogue is generated in memory, deterministically (fixed seed), from the shipped
catalogue's own vocabulary: each synthetic service takes a real service as its base and
recombines it with a lifecycle/variant word (首次/补领/换发/变更/注销 ...), often a district,
a numbered department, materials/conditions/steps/FAQs borrowed from other services, so the
term distribution is skewed like a real catalogue's (居民身份证 in most materials lists, rare
name words) rather than 10,000 copies.

Measured: index build time (``KnowledgeBase`` construction) and peak RSS; search latency of
``kb.search(text, k=5)`` over the shipped query texts plus long (200+ character) questions,
after ``gc.collect(); gc.freeze()`` as ``citizen-hub serve`` does once started (otherwise a
full collection walking the 10,000 catalogue entries lands in some call now and then).
After one warm-up pass, every query is searched ``--passes`` times with ``perf_counter``:
``search_ms_*`` are cold calls (every cache is cleared before each call: the knowledge
base's and the NLU's normalisation memo, as for a message never seen before),
``search_ms_cached_*`` repeated calls (the question's analysis cached).

Usage: .venv/bin/python bench/search_scale.py [--services 10000] [--passes 3] [--seed 20240601]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.knowledge_bench import clear_all  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.districts import DEFAULT_DISTRICTS, short_form  # noqa: E402
from knowledge.evaluate import load_queries  # noqa: E402
from knowledge.loader import load_catalogue  # noqa: E402
from knowledge.schema import Catalogue, FaqItem, Service  # noqa: E402
from knowledge.synonyms import SynonymTable  # noqa: E402

CATALOGUE = ROOT / "knowledge" / "catalogue"
QUERIES = ROOT / "knowledge" / "eval" / "queries.yml"
VARIANTS = (
    "首次",
    "补领",
    "换发",
    "变更",
    "注销",
    "延期",
    "遗失补办",
    "预约",
    "查询",
    "备案",
    "核发",
    "年审",
    "迁移",
    "恢复",
    "撤销",
)
UNITS = ("分局", "服务中心", "办事处", "业务科", "窗口", "管理所")
FILLERS = (
    "你好，我想咨询一下，",
    "不好意思打扰了，",
    "另外还有个问题，",
    "我家里人让我问问，",
    "顺便再问一句，",
)


class Pools:
    """Everything the shipped catalogue says, pooled by field."""

    def __init__(self, services: Sequence[Service]) -> None:
        self.services = list(services)
        self.materials = sorted({m for s in services for m in s.materials})
        self.conditions = sorted({c for s in services for c in s.conditions})
        self.process = sorted({p for s in services for p in s.process})
        self.faq = sorted({(f.q, f.a) for s in services for f in s.faq})
        self.aliases = sorted({a for s in services for a in s.aliases})
        self.departments = sorted({s.department for s in services})


def _mix(
    rng: random.Random, own: Sequence[str], pool: Sequence[str], extra: int
) -> tuple[str, ...]:
    """Most of ``own`` (shuffled) plus up to ``extra`` items from ``pool``."""
    keep = [x for x in own if rng.random() < 0.8]
    keep += rng.sample(list(pool), min(len(pool), rng.randint(0, extra)))
    return tuple(dict.fromkeys(keep))


def _name(rng: random.Random, base: str, variant: str, district: str) -> str:
    shapes = (f"{base}{variant}", f"{variant}{base}", f"{district}{base}{variant}")
    return rng.choice(shapes)


def _department(rng: random.Random, pools: Pools, base: Service, district: str) -> str:
    dept = base.department if rng.random() < 0.7 else rng.choice(pools.departments)
    number = rng.randint(1, 60)
    shapes = (dept, f"{dept}第{number}{rng.choice(UNITS)}", f"{district}{dept}{number}号窗口")
    return rng.choice(shapes)


def synthetic_service(rng: random.Random, pools: Pools, index: int) -> Service:
    base = rng.choice(pools.services)
    variant = rng.choice(VARIANTS)
    district = rng.choice(DEFAULT_DISTRICTS)
    if rng.random() < 0.5:
        district = short_form(district) or district
    aliases = [_name(rng, a, variant, district) for a in base.aliases if rng.random() < 0.6]
    aliases += rng.sample(pools.aliases, rng.randint(0, 1))
    faq = [f for f in base.faq if rng.random() < 0.7]
    faq += [FaqItem(q=q, a=a) for q, a in rng.sample(pools.faq, rng.randint(0, 2))]
    update: dict[str, Any] = {
        "id": f"syn-{index:05d}",
        "name": _name(rng, base.name, variant, district),
        "aliases": tuple(dict.fromkeys(aliases)),
        "department": _department(rng, pools, base, district),
        "conditions": _mix(rng, base.conditions, pools.conditions, 2),
        "materials": _mix(rng, base.materials, pools.materials, 4) or base.materials,
        "process": _mix(rng, base.process, pools.process, 2),
        "faq": tuple(faq),
    }
    return base.model_copy(update=update)


def synthetic_catalogue(shipped: Catalogue, size: int, seed: int) -> Catalogue:
    rng = random.Random(seed)
    pools = Pools(shipped.services)
    return Catalogue(services=tuple(synthetic_service(rng, pools, i) for i in range(size)))


def long_queries(texts: Sequence[str], count: int, seed: int) -> list[str]:
    """Questions of 200+ characters: several shipped questions run together with fillers."""
    rng = random.Random(seed + 1)
    out: list[str] = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) for p in parts) < 200:
            parts += [rng.choice(FILLERS), rng.choice(texts), "。"]
        out.append("".join(parts))
    return out


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timings(
    call: Callable[[str], object], texts: Sequence[str], passes: int, reset: bool, kb: KnowledgeBase
) -> list[float]:
    """Milliseconds of every call (``reset``: caches cleared before each one)."""
    out: list[float] = []
    for _ in range(passes):
        for text in texts:
            if reset:
                clear_all(kb)
            start = time.perf_counter()
            call(text)
            out.append((time.perf_counter() - start) * 1000)
    return out


def summary(prefix: str, values: Sequence[float]) -> dict[str, float]:
    return {
        f"{prefix}_p50": round(percentile(values, 0.50), 3),
        f"{prefix}_p95": round(percentile(values, 0.95), 3),
        f"{prefix}_p99": round(percentile(values, 0.99), 3),
        f"{prefix}_max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--long", type=int, default=20, help="number of long questions")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    shipped = load_catalogue(CATALOGUE, DEFAULT_DISTRICTS)
    catalogue = synthetic_catalogue(shipped, args.services, args.seed)
    texts = [q.text for q in load_queries(QUERIES, shipped)]
    texts += long_queries(texts, args.long, args.seed)
    start = time.perf_counter()
    kb = KnowledgeBase(catalogue, DEFAULT_DISTRICTS, SynonymTable.build())
    build_s = time.perf_counter() - start
    gc.collect()
    gc.freeze()
    search = lambda text: kb.search(text, k=5)  # noqa: E731
    timings(search, texts, 1, True, kb)  # warm-up
    cold = timings(search, texts, args.passes, True, kb)
    timings(search, texts, 1, False, kb)  # every question analysed (and cached) once
    cached = timings(search, texts, args.passes, False, kb)
    first_long = len(texts) - args.long
    long = [ms for i, ms in enumerate(cold) if i % len(texts) >= first_long]
    result: dict[str, Any] = {
        "services": len(catalogue.services),
        "build_s": round(build_s, 2),
        "queries": len(texts),
        **summary("search_ms", cold),
        "search_ms_long_p50": round(percentile(long, 0.50), 3) if long else None,
        **summary("search_ms_cached", cached),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
