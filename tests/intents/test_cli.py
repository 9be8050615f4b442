from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from intents import cli

from .conftest import SMALL_YAML

CROSSWOZ = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "crosswoz-nlu"
TEST_YAML = """nlu:
- intent: ask_fee
  examples: |
    - [护照](service)收费多少
    - 工本费要几块钱
- intent: greet
  examples: |
    - 您好啊
"""


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "train.yml").write_text(SMALL_YAML, encoding="utf-8")
    (tmp_path / "test.yml").write_text(TEST_YAML, encoding="utf-8")
    (tmp_path / "config.yml").write_text(
        f"nlu:\n  model_dir: {tmp_path / 'models'}\n  data: {tmp_path / 'train.yml'}\n"
        f"knowledge:\n  catalogue: {tmp_path / 'none'}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_train_writes_versioned_model(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--config", "config.yml", "nlu", "train"]) == 0
    (meta,) = (setup / "models").glob("nlu-*.json")
    assert json.loads(meta.read_text(encoding="utf-8"))["examples"] == 24
    assert "trained on 24 examples, 4 intents" in capsys.readouterr().out


def test_test_with_train_json(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(
        [
            "--config",
            "config.yml",
            "nlu",
            "test",
            "--train",
            "train.yml",
            "--test",
            "test.yml",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"n", "intent", "entities", "parse_ms_p50", "parse_ms_p99"}
    assert report["n"] == 3
    assert report["entities"]["per_entity"]["service"]["support"] == 1


def test_test_without_train_uses_configured_model(
    setup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["--config", "config.yml", "nlu", "test", "--test", "test.yml"]) == 0
    out = capsys.readouterr().out
    assert "intent accuracy" in out and "entities precision" in out


def test_bad_data_exit_2(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (setup / "bad.yml").write_text(
        "nlu:\n- intent: a\n  examples: |\n    - [x](zz)\n", encoding="utf-8"
    )
    assert (
        _run(["--config", "config.yml", "nlu", "test", "--train", "bad.yml", "--test", "test.yml"])
        == 2
    )
    assert "bad.yml:4: unknown entity 'zz'" in capsys.readouterr().err


@pytest.mark.skipif(not CROSSWOZ.exists(), reason="shared benchmarks not present")
def test_intent_only_benchmark(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(
        [
            "--config",
            "config.yml",
            "nlu",
            "test",
            "--train",
            str(CROSSWOZ / "train_small.yml"),
            "--test",
            str(CROSSWOZ / "test.yml"),
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["intent"]["per_intent"]) == 11
    assert report["intent"]["accuracy"] >= 0.8
    assert report["entities"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "per_entity": {}}


def test_vocabulary_from_catalogue(tmp_path: Path) -> None:
    from bot.config import config_from_mapping

    (tmp_path / "a.yml").write_text(
        "services:\n  - name: 居民身份证首次申领\n    aliases: [身份证初次申领]\n"
        "    department: 公安局\n    locations:\n      - name: 南山大厅\n"
        "        district: 南山区\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.yml").write_text("services: [", encoding="utf-8")
    config = config_from_mapping({"knowledge": {"catalogue": str(tmp_path)}}, env={})
    words = cli.vocabulary_from_config(config)
    assert {"居民身份证首次申领", "身份证初次申领", "公安局", "南山大厅", "南山区"} <= set(words)
