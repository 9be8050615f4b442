"""Search and aspect accuracy on a labelled query set.

Queries file: YAML, top-level ``queries:`` list of ``{text, expect: service id, aspect}``.
``load_queries`` validates every entry (text present, ``expect`` in the catalogue, ``aspect``
one of ``knowledge.aspects.ASPECTS``) and raises ``QueryFileError`` listing each bad entry
by index (``queries.yml: queries[3]: expect: unknown service id 'x'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from knowledge.aspects import ASPECTS
from knowledge.schema import Catalogue
from knowledge.search import SearchHit

MRR_DEPTH = 10


class QueryFileError(ValueError):
    """The queries file is invalid; ``problems`` lists every bad entry."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class EvalQuery:
    text: str
    expect: str
    aspect: str


@dataclass(frozen=True)
class Miss:
    """A query whose expected service was not first, or whose aspect was wrong."""

    query: EvalQuery
    got: tuple[str, ...]  # ranked service ids (top 3)
    got_aspect: str
    rank: int | None  # 1-based rank of the expected service within MRR_DEPTH


@dataclass(frozen=True)
class EvalReport:
    figures: dict[str, Any]
    misses: list[Miss] = field(default_factory=list)


class Searcher(Protocol):
    def search(self, text: str, k: int = 5) -> list[SearchHit]: ...

    def detect_aspect(self, text: str) -> str: ...


def _check_entry(index: int, entry: Any, catalogue: Catalogue) -> list[str]:
    where = f"queries[{index}]"
    if not isinstance(entry, dict):
        return [f"{where}: must be a mapping with text, expect, aspect"]
    problems = [
        f"{where}: {k}: unknown key" for k in entry if k not in ("text", "expect", "aspect")
    ]
    for key in ("text", "expect", "aspect"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            problems.append(f"{where}: {key}: missing or not text")
    expect, aspect = entry.get("expect"), entry.get("aspect")
    if isinstance(expect, str) and expect.strip() and catalogue.get(expect.strip()) is None:
        problems.append(f"{where}: expect: unknown service id {expect!r}")
    if isinstance(aspect, str) and aspect.strip() and aspect.strip() not in ASPECTS:
        problems.append(f"{where}: aspect: {aspect!r} is not one of {' '.join(ASPECTS)}")
    return problems


def load_queries(path: Path, catalogue: Catalogue) -> list[EvalQuery]:
    """The validated queries of ``path``; raises ``QueryFileError`` naming every bad entry."""
    name = Path(path).name
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise QueryFileError([f"{name}: cannot read queries: {exc}"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("queries"), list):
        raise QueryFileError([f"{name}: expected a top-level 'queries:' list"])
    problems: list[str] = []
    queries: list[EvalQuery] = []
    for index, entry in enumerate(data["queries"]):
        entry_problems = _check_entry(index, entry, catalogue)
        problems += [f"{name}: {p}" for p in entry_problems]
        if not entry_problems:
            queries.append(
                EvalQuery(entry["text"], entry["expect"].strip(), entry["aspect"].strip())
            )
    if not queries and not problems:
        problems.append(f"{name}: queries: the list is empty")
    if problems:
        raise QueryFileError(problems)
    return queries


def _ratio(num: float, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def evaluate_report(kb: Searcher, queries: Sequence[EvalQuery]) -> EvalReport:
    """Figures (see ``evaluate``) and the list of misses."""
    top1 = top3 = 0
    rr = 0.0
    aspect_ok = 0
    per: dict[str, dict[str, int]] = {}
    misses: list[Miss] = []
    for query in queries:
        ids = [h.service.id for h in kb.search(query.text, k=MRR_DEPTH)]
        rank = ids.index(query.expect) + 1 if query.expect in ids else None
        got_aspect = kb.detect_aspect(query.text)
        stats = per.setdefault(query.aspect, {"n": 0, "top1": 0, "aspect": 0})
        stats["n"] += 1
        top1 += rank == 1
        top3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
        aspect_ok += got_aspect == query.aspect
        stats["top1"] += rank == 1
        stats["aspect"] += got_aspect == query.aspect
        if rank != 1 or got_aspect != query.aspect:
            misses.append(Miss(query, tuple(ids[:3]), got_aspect, rank))
    n = len(queries)
    figures: dict[str, Any] = {
        "n": n,
        "top1": _ratio(top1, n),
        "top3": _ratio(top3, n),
        "mrr": _ratio(rr, n),
        "aspect_accuracy": _ratio(aspect_ok, n),
        "per_aspect": {
            aspect: {
                "n": s["n"],
                "top1": _ratio(s["top1"], s["n"]),
                "aspect_accuracy": _ratio(s["aspect"], s["n"]),
            }
            for aspect, s in sorted(per.items())
        },
    }
    return EvalReport(figures, misses)


def evaluate(kb: Searcher, queries: Sequence[EvalQuery]) -> dict[str, Any]:
    """``{"n", "top1", "top3", "mrr", "aspect_accuracy", "per_aspect": {aspect: {"n",
    "top1", "aspect_accuracy"}}}``; ratios rounded to 4 places, MRR over the top 10."""
    return evaluate_report(kb, queries).figures


def format_report(report: EvalReport) -> str:
    """A readable table of the figures followed by the misses."""
    f = report.figures
    lines = [
        f"queries {f['n']}  top1 {f['top1']:.4f}  top3 {f['top3']:.4f}  mrr {f['mrr']:.4f}  "
        f"aspect {f['aspect_accuracy']:.4f}",
        "",
        f"{'aspect':<12}{'n':>5}{'top1':>9}{'aspect':>9}",
    ]
    for aspect, s in f["per_aspect"].items():
        lines.append(f"{aspect:<12}{s['n']:>5}{s['top1']:>9.4f}{s['aspect_accuracy']:>9.4f}")
    if report.misses:
        lines += ["", f"misses ({len(report.misses)}):"]
    for miss in report.misses:
        q = miss.query
        rank = miss.rank if miss.rank is not None else "-"
        got = ", ".join(miss.got) or "(no match)"
        aspect = q.aspect if miss.got_aspect == q.aspect else f"{q.aspect}->{miss.got_aspect}"
        lines.append(f"  {q.text}  expect {q.expect} (rank {rank}) got [{got}]  aspect {aspect}")
    return "\n".join(lines)
