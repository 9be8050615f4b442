from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.config import NluConfig
from intents.loader import TrainingDataError
from intents.store import find_model, load_or_train

from .conftest import SMALL_YAML


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "nlu.yml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    return path


def _models(model_dir: Path) -> list[Path]:
    return sorted(model_dir.glob("nlu-*.pkl"))


def test_trains_when_missing_then_loads(data_file: Path, tmp_path: Path) -> None:
    config = NluConfig(data=data_file, model_dir=tmp_path / "models")
    first = load_or_train(config, ["港澳通行证签注"])
    (model,) = _models(tmp_path / "models")
    meta = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["data_sha256"] == first.metadata["data_sha256"]
    assert meta["format_version"] == 1 and meta["examples"] == 24
    assert {"created", "sklearn_version", "fingerprint", "intents"} <= set(meta)
    second = load_or_train(config, ["港澳通行证签注"])
    assert _models(tmp_path / "models") == [model]  # loaded, not retrained
    assert second.parse_sync("护照多少钱").intent == first.parse_sync("护照多少钱").intent


def test_stale_data_or_vocabulary_retrains(data_file: Path, tmp_path: Path) -> None:
    config = NluConfig(data=data_file, model_dir=tmp_path / "models")
    load_or_train(config)
    data_file.write_text(SMALL_YAML + "    - 港澳通行证签注\n", encoding="utf-8")
    load_or_train(config)
    assert len(_models(tmp_path / "models")) == 2
    load_or_train(config, ["新的词"])
    assert len(_models(tmp_path / "models")) == 3


def test_corrupt_model_is_retrained(data_file: Path, tmp_path: Path) -> None:
    config = NluConfig(data=data_file, model_dir=tmp_path / "models")
    load_or_train(config)
    (model,) = _models(tmp_path / "models")
    model.write_bytes(b"not a pickle")
    engine = load_or_train(config)
    assert engine.parse_sync("你好").intent.name == "greet"


def test_relative_paths_use_base_dir(data_file: Path, tmp_path: Path) -> None:
    config = NluConfig(data=Path("nlu.yml"), model_dir=Path("var/models"))
    load_or_train(config, base_dir=tmp_path)
    assert _models(tmp_path / "var" / "models")


def test_bad_data_raises(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu:\n- intent: a\n  examples: |\n    - [x](nope)\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"bad\.yml:4"):
        load_or_train(NluConfig(data=bad, model_dir=tmp_path / "m"))


def test_find_model_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "nlu-x.json").write_text("{not json", encoding="utf-8")
    assert find_model(tmp_path, "abc") is None
    shutil.rmtree(tmp_path)
    assert find_model(tmp_path, "abc") is None


def test_only_newest_models_are_kept(data_file: Path, tmp_path: Path) -> None:
    config = NluConfig(data=data_file, model_dir=tmp_path / "models")
    for i in range(7):
        load_or_train(config, [f"词{i}"])
    assert len(_models(tmp_path / "models")) == 5
    assert len(list((tmp_path / "models").glob("nlu-*.json"))) == 5
