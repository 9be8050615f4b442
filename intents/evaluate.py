"""Score an engine on annotated examples: the ``nlu test`` report.

- Intent: accuracy, macro F1 over every intent seen in gold or prediction, per-intent
  precision/recall/F1/support. The predicted intent is the classifier's top-ranked intent
  *before* the fallback threshold (the fallback is a dialogue decision; ``nlu_fallback`` is
  not a class of the data).
- Entities: a predicted entity is correct when type and exact span (start, end) match a gold
  one; values are not compared. With no gold and no predicted entities at all (an intent-only
  data set) precision, recall and F1 are reported as 1.0 — nothing to find, nothing wrongly
  found — as scikit-learn does with ``zero_division=1``; ``per_entity`` is then empty.
- Speed: ``parse_ms_p50``/``parse_ms_p99`` over the test parses (after a short warm-up).
"""

from __future__ import annotations

import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from intents.engine import NluEngine
from intents.loader import Example


@dataclass(frozen=True)
class Prf:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def as_dict(self, support: int | None = None) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": self.tp + self.fn if support is None else support,
        }


@dataclass
class Evaluation:
    report: dict[str, Any]
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # gold, predicted, text


def _counts(pairs: Sequence[tuple[str, str]]) -> dict[str, Prf]:
    labels = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    out = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        out[label] = Prf(tp, fp, fn)
    return out


def _entity_counts(
    gold: set[tuple[str, int, int]], pred: set[tuple[str, int, int]], into: dict[str, Counter[str]]
) -> None:
    for name in {e[0] for e in gold | pred}:
        g = {e for e in gold if e[0] == name}
        p = {e for e in pred if e[0] == name}
        into.setdefault(name, Counter()).update(
            {"tp": len(g & p), "fp": len(p - g), "fn": len(g - p)}
        )


def evaluate(
    engine: NluEngine, examples: Sequence[Example], today: date | None = None
) -> Evaluation:
    if not examples:
        raise ValueError("no test examples")
    for ex in examples[:20]:  # warm-up: first calls pay for caches
        engine.parse_sync(ex.text, today=today)
    pairs: list[tuple[str, str]] = []
    entity_counts: dict[str, Counter[str]] = {}
    timings: list[float] = []
    errors = []
    for ex in examples:
        started = time.perf_counter()
        parse = engine.parse_sync(ex.text, today=today)
        timings.append((time.perf_counter() - started) * 1000)
        predicted = engine.predicted_intent(parse)
        pairs.append((ex.intent, predicted))
        if predicted != ex.intent:
            errors.append((ex.intent, predicted, ex.text))
        gold = {(s.entity, s.start, s.end) for s in ex.entities}
        pred = {(e.entity, e.start, e.end) for e in parse.entities}
        _entity_counts(gold, pred, entity_counts)
    return Evaluation(_report(pairs, entity_counts, timings), _confusions(pairs), errors)


def _report(
    pairs: list[tuple[str, str]], entity_counts: dict[str, Counter[str]], timings: list[float]
) -> dict[str, Any]:
    per_intent = _counts(pairs)
    gold_support = Counter(g for g, _ in pairs)
    intents = {k: v.as_dict(gold_support.get(k, 0)) for k, v in per_intent.items()}
    per_entity = {k: Prf(c["tp"], c["fp"], c["fn"]) for k, c in sorted(entity_counts.items())}
    total = Prf(
        sum(v.tp for v in per_entity.values()),
        sum(v.fp for v in per_entity.values()),
        sum(v.fn for v in per_entity.values()),
    )
    overall = total.as_dict()
    return {
        "n": len(pairs),
        "intent": {
            "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4),
            "macro_f1": round(float(np.mean([v["f1"] for v in intents.values()])), 4),
            "per_intent": intents,
        },
        "entities": {
            "precision": overall["precision"],
            "recall": overall["recall"],
            "f1": overall["f1"],
            "per_entity": {k: v.as_dict() for k, v in per_entity.items()},
        },
        "parse_ms_p50": round(float(np.percentile(timings, 50)), 3),
        "parse_ms_p99": round(float(np.percentile(timings, 99)), 3),
    }


def _confusions(pairs: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    wrong = Counter((g, p) for g, p in pairs if g != p)
    return [(g, p, n) for (g, p), n in wrong.most_common()]


def _pad(text: str, width: int) -> str:
    """Left-justify by display width (CJK characters take two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - shown)


def _row(name: str, m: dict[str, Any]) -> str:
    return (
        f"{_pad(name, 28)}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}"
    )


def format_table(evaluation: Evaluation, top: int = 10) -> str:
    """The report as a readable table, with the top confusions."""
    r = evaluation.report
    lines = [
        f"examples: {r['n']}",
        f"intent accuracy {r['intent']['accuracy']:.3f}  macro F1 {r['intent']['macro_f1']:.3f}",
        "",
        f"{'intent':<28}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>6}",
    ]
    for name, m in r["intent"]["per_intent"].items():
        lines.append(_row(name, m))
    e = r["entities"]
    lines += [
        "",
        f"entities precision {e['precision']:.3f}  recall {e['recall']:.3f}  F1 {e['f1']:.3f}",
        f"{'entity':<28}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>6}",
    ]
    for name, m in e["per_entity"].items():
        lines.append(_row(name, m))
    lines += ["", f"parse ms p50 {r['parse_ms_p50']:.3f}  p99 {r['parse_ms_p99']:.3f}"]
    if evaluation.confusions:
        lines += ["", "top confusions (gold -> predicted: count)"]
        lines += [f"  {g} -> {p}: {n}" for g, p, n in evaluation.confusions[:top]]
    return "\n".join(lines)
