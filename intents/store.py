"""Versioned models on disk and the start-up rule "load if current, else train and save".

A model is two files in ``model_dir``: ``nlu-<UTC time to the microsecond>-<fp[:12]>.pkl``
(the pickled ``NluEngine``) and a ``.json`` beside it with its metadata: format version, the
training data's sha256, the fingerprint (data + vocabulary + settings + format + library
versions), creation time, scikit-learn / Python versions, example and intent counts.
A model is current when its fingerprint matches; any change to the data, the catalogue
vocabulary, the settings or the libraries makes the hub retrain at start-up. Only the five
newest models are kept. Models are pickles: ``model_dir`` must be writable by the hub only.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from intents.engine import NluEngine, NluSettings
from intents.entities.pipeline import EntitySettings
from intents.loader import TrainingData, load_training_data

FORMAT_VERSION = 1
KEEP_MODELS = 5
# Read from the installed metadata: importing scikit-learn costs ~1 s at start-up.
SKLEARN_VERSION = importlib.metadata.version("scikit-learn")
SHIPPED_DATA = Path(__file__).parent / "data" / "nlu.yml"
log = logging.getLogger("citizen_hub.nlu")


class NluConfigLike(Protocol):
    """The fields of ``bot.config.NluConfig`` this module reads (intents cannot import bot)."""

    @property
    def data(self) -> Path | None: ...
    @property
    def model_dir(self) -> Path: ...
    @property
    def fallback_threshold(self) -> float: ...
    @property
    def case_no_pattern(self) -> str: ...


@dataclass(frozen=True)
class StoredModel:
    model: Path
    metadata: dict[str, Any]


def settings_from_config(config: NluConfigLike) -> NluSettings:
    return NluSettings(
        fallback_threshold=config.fallback_threshold,
        entities=EntitySettings(case_no_pattern=config.case_no_pattern),
    )


def fingerprint(data: TrainingData, vocabulary: Sequence[str], settings: NluSettings) -> str:
    digest = hashlib.sha256()
    for part in (
        str(FORMAT_VERSION),
        SKLEARN_VERSION,
        data.sha256,
        repr(settings),
        "\n".join(sorted(set(vocabulary))),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def save_model(engine: NluEngine, model_dir: Path, fp: str, data: TrainingData) -> StoredModel:
    now = datetime.now(UTC)
    stem = f"nlu-{now:%Y%m%dT%H%M%S%f}-{fp[:12]}"
    path = model_dir / f"{stem}.pkl"
    metadata = {
        "format_version": FORMAT_VERSION,
        "fingerprint": fp,
        "data_sha256": data.sha256,
        "data_sources": list(data.sources),
        "created": now.isoformat(timespec="seconds"),
        "sklearn_version": SKLEARN_VERSION,
        "python_version": platform.python_version(),
        "examples": len(data.examples),
        "intents": list(engine.classifier.classes),
        "model_file": path.name,
    }
    engine.metadata.update(metadata)
    engine.save(path)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path.with_suffix(".json"))
    _prune(model_dir, keep=KEEP_MODELS)
    return StoredModel(path, metadata)


def _prune(model_dir: Path, keep: int) -> None:
    """Delete all but the ``keep`` newest models (their .pkl and .json)."""
    for meta_path in sorted(model_dir.glob("nlu-*.json"), reverse=True)[keep:]:
        for stale in (meta_path, meta_path.with_suffix(".pkl")):
            stale.unlink(missing_ok=True)


def find_model(model_dir: Path, fp: str) -> StoredModel | None:
    """The newest model in ``model_dir`` with this fingerprint, if any."""
    for meta_path in sorted(model_dir.glob("nlu-*.json"), reverse=True):
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        model = meta_path.with_suffix(".pkl")
        if metadata.get("fingerprint") == fp and model.exists():
            return StoredModel(model, metadata)
    return None


def latest_model(model_dir: Path) -> StoredModel | None:
    """The newest model in ``model_dir`` whatever its data (for ``nlu test`` without --train)."""
    for meta_path in sorted(model_dir.glob("nlu-*.json"), reverse=True):
        model = meta_path.with_suffix(".pkl")
        if model.exists():
            return StoredModel(model, json.loads(meta_path.read_text(encoding="utf-8")))
    return None


def train_and_save(
    data: TrainingData,
    model_dir: Path,
    vocabulary: Sequence[str] = (),
    settings: NluSettings | None = None,
) -> tuple[NluEngine, StoredModel]:
    settings = settings or NluSettings()
    started = time.perf_counter()
    engine = NluEngine.train(data, vocabulary, settings)
    stored = save_model(engine, model_dir, fingerprint(data, vocabulary, settings), data)
    log.info(
        "nlu model trained examples=%d intents=%d seconds=%.2f file=%s",
        len(data.examples),
        len(engine.classifier.classes),
        time.perf_counter() - started,
        stored.model,
    )
    return engine, stored


def load_or_train(
    config: NluConfigLike, vocabulary: Sequence[str] = (), base_dir: Path = Path(".")
) -> NluEngine:
    """Load the current model from ``config.model_dir``, else train on the data and save it.

    ``config.data`` (a file or folder, relative to ``base_dir``) defaults to the shipped
    ``intents/data/nlu.yml``. Raises ``TrainingDataError`` when the data is invalid.
    """
    data_path = SHIPPED_DATA if config.data is None else _resolve(config.data, base_dir)
    data = load_training_data(data_path)
    settings = settings_from_config(config)
    model_dir = _resolve(config.model_dir, base_dir)
    fp = fingerprint(data, vocabulary, settings)
    stored = find_model(model_dir, fp)
    if stored is not None:
        try:
            engine = NluEngine.load(stored.model)
            engine.metadata.update(stored.metadata)
            log.info("nlu model loaded file=%s", stored.model)
            return engine
        except Exception as exc:  # a corrupt or incompatible pickle: retrain
            log.warning("nlu model %s unusable (%s); retraining", stored.model, exc)
    return train_and_save(data, model_dir, vocabulary, settings)[0]


def _resolve(path: Path, base_dir: Path) -> Path:
    return path if path.is_absolute() else base_dir / path


__all__ = ["SHIPPED_DATA", "NluConfigLike", "load_or_train", "train_and_save"]
