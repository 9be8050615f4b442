"""NLU benchmark: prints one JSON document (see issue 3 for the targets).

(a) small data: 16 training examples per intent drawn from intents/data/nlu.yml (fixed seeds),
    tested on intents/data/nlu_test.yml; seed 0 is the headline, the mean over 5 seeds shows
    the spread;
(b) the shipped model (all of nlu.yml) on nlu_test.yml;
(c) CrossWOZ-NLU (../shared/benchmarks/crosswoz-nlu): train_small -> test, train_full -> test;
(d) training time for 2,000 examples (nlu.yml + CrossWOZ train_full, first 2,000);
(e) parse latency p50/p99 in ms of the shipped model over nlu_test.yml (5 passes).

Usage: .venv/bin/python bench/nlu_bench.py [--crosswoz DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intents.engine import NluEngine  # noqa: E402
from intents.evaluate import evaluate  # noqa: E402
from intents.loader import Example, TrainingData, load_training_data  # noqa: E402

DATA = ROOT / "intents" / "data" / "nlu.yml"
TEST = ROOT / "intents" / "data" / "nlu_test.yml"
CROSSWOZ = ROOT.parent / "shared" / "benchmarks" / "crosswoz-nlu"


def sample_per_intent(data: TrainingData, per_intent: int, seed: int) -> TrainingData:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in data.examples:
        by_intent[ex.intent].append(ex)
    rng = random.Random(seed)
    chosen: list[Example] = []
    for name in sorted(by_intent):
        items = by_intent[name]
        chosen += rng.sample(items, min(per_intent, len(items)))
    return data.with_examples(chosen)


def scores(engine: NluEngine, test: TrainingData) -> dict[str, Any]:
    report = evaluate(engine, test.examples).report
    return {
        "intent_accuracy": report["intent"]["accuracy"],
        "intent_macro_f1": report["intent"]["macro_f1"],
        "entity_f1": report["entities"]["f1"],
    }


def small_data(data: TrainingData, test: TrainingData) -> dict[str, Any]:
    runs = [scores(NluEngine.train(sample_per_intent(data, 16, seed)), test) for seed in range(5)]
    return {
        "per_intent": 16,
        "seed0": runs[0],
        "mean_5_seeds": {k: round(statistics.mean(r[k] for r in runs), 4) for k in runs[0]},
        "min_5_seeds": {k: round(min(r[k] for r in runs), 4) for k in runs[0]},
    }


def crosswoz(folder: Path) -> dict[str, Any]:
    if not folder.exists():
        return {"skipped": f"{folder} not found"}
    test = load_training_data(folder / "test.yml")
    out: dict[str, Any] = {
        "reference": {"rasa_diet": [0.823, 0.945], "tfidf_linearsvc": [0.922, 0.975]}
    }
    for name in ("train_small", "train_full"):
        engine = NluEngine.train(load_training_data(folder / f"{name}.yml"))
        out[name] = scores(engine, test)["intent_accuracy"]
    return out


def training_time(data: TrainingData, folder: Path) -> dict[str, Any]:
    examples = list(data.examples)
    if (folder / "train_full.yml").exists():
        examples += load_training_data(folder / "train_full.yml").examples
    examples = examples[:2000]
    started = time.perf_counter()
    NluEngine.train(data.with_examples(examples))
    return {"examples": len(examples), "seconds": round(time.perf_counter() - started, 2)}


def latency(engine: NluEngine, test: TrainingData, passes: int = 5) -> dict[str, Any]:
    texts = [ex.text for ex in test.examples]
    for text in texts:
        engine.parse_sync(text)
    timings = []
    for _ in range(passes):
        for text in texts:
            started = time.perf_counter()
            engine.parse_sync(text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "parses": len(timings),
        "p50_ms": round(timings[len(timings) // 2], 3),
        "p99_ms": round(timings[int(len(timings) * 0.99)], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crosswoz", type=Path, default=CROSSWOZ)
    args = parser.parse_args()
    data, test = load_training_data(DATA), load_training_data(TEST)
    started = time.perf_counter()
    shipped = NluEngine.train(data)
    result = {
        "small_data": small_data(data, test),
        "shipped": {
            **scores(shipped, test),
            "train_examples": len(data.examples),
            "train_seconds": round(time.perf_counter() - started, 2),
            "test_examples": len(test.examples),
        },
        "crosswoz": crosswoz(args.crosswoz),
        "training_2000": training_time(data, args.crosswoz),
        "parse_latency": latency(shipped, test),
        "machine_load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
