"""``citizen-hub nlu train|test``: registered into the main CLI by ``register(subparsers)``.

Exit codes: 0 success, 2 bad data or config (message on stderr). The test file of
``nlu test`` is read leniently: its entity names may be declared only in the training data,
and a cross-intent duplicate is a warning (stderr), not an error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bot.config import Config, load_config
from intents.engine import NluEngine
from intents.evaluate import evaluate, format_table
from intents.loader import TrainingDataError, load_training_data
from intents.store import SHIPPED_DATA, load_or_train, settings_from_config, train_and_save

# libyaml's loader when PyYAML has it: the same documents, parsed ~10x faster at start-up.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def register(subparsers: Any) -> None:
    """Add the ``nlu`` command group (``train``, ``test``) to an argparse sub-parser set."""
    nlu = subparsers.add_parser("nlu", help="train and test the Chinese NLU")
    sub = nlu.add_subparsers(dest="nlu_command", required=True)
    train = sub.add_parser("train", help="train a model and save it under nlu.model_dir")
    train.add_argument("--data", help="NLU YAML file or folder (default: nlu.data or shipped)")
    train.set_defaults(func=cmd_train)
    test = sub.add_parser("test", help="evaluate on annotated test data")
    test.add_argument("--train", help="train a fresh model on this file only, then test it")
    test.add_argument("--test", required=True, help="NLU YAML test file")
    test.add_argument("--json", action="store_true", help="print the report as JSON")
    test.set_defaults(func=cmd_test)


def vocabulary_from_config(config: Config) -> list[str]:
    """Domain words from the catalogue files (DESIGN "Files": services' name, aliases,
    department, location names and districts). Unreadable files contribute nothing; the
    knowledge module is the one that validates them."""
    root = config.resolve(config.knowledge.catalogue)
    files = sorted(root.glob("*.yml")) if root.is_dir() else [root]
    words: set[str] = set(config.knowledge.districts)
    for file in files:
        try:
            doc = yaml.load(file.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        services = doc.get("services") if isinstance(doc, dict) else None
        for service in services if isinstance(services, list) else []:
            if isinstance(service, dict):
                words.update(_service_words(service))
    return sorted(words)


def _service_words(service: dict[str, Any]) -> list[str]:
    found = [service.get("name"), service.get("department")]
    aliases = service.get("aliases")
    found += aliases if isinstance(aliases, list) else []
    for loc in service.get("locations") or []:
        if isinstance(loc, dict):
            found += [loc.get("name"), loc.get("district")]
    return [w.strip() for w in found if isinstance(w, str) and w.strip()]


def _load(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def cmd_train(args: argparse.Namespace) -> int:
    config = _load(args)
    nlu = config.nlu
    data_path = (
        Path(args.data) if args.data else (config.resolve(nlu.data) if nlu.data else SHIPPED_DATA)
    )
    try:
        data = load_training_data(data_path)
    except TrainingDataError as exc:
        print(f"training data error:\n{exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    engine, stored = train_and_save(
        data,
        config.resolve(nlu.model_dir),
        vocabulary_from_config(config),
        settings_from_config(nlu),
    )
    print(
        f"trained on {len(data.examples)} examples, {len(engine.classifier.classes)} intents "
        f"in {time.perf_counter() - started:.2f}s"
    )
    print(f"model: {stored.model}")
    print(f"data sha256: {data.sha256}")
    return 0


def _engine_for_test(args: argparse.Namespace, config: Config) -> NluEngine:
    vocabulary = vocabulary_from_config(config)
    if args.train:
        data = load_training_data(args.train)
        return NluEngine.train(data, vocabulary, settings_from_config(config.nlu))
    return load_or_train(config.nlu, vocabulary, base_dir=config.base_dir)


def cmd_test(args: argparse.Namespace) -> int:
    try:
        config = _load(args)
        test = load_training_data(args.test, strict=False)
        engine = _engine_for_test(args, config)
    except TrainingDataError as exc:
        print(f"training data error:\n{exc}", file=sys.stderr)
        return 2
    for warning in test.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    result = evaluate(engine, test.examples)
    if args.json:
        print(json.dumps(result.report, ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
    return 0
