"""``knowledge check`` / ``knowledge eval`` through argparse and as a real subprocess."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge import cli
from tests.knowledge.conftest import ROOT, TINY_CATALOGUE

Writer = Callable[..., Path]


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "knowledge", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="citizen-hub")
    parser.add_argument("--config", default=None)
    sub = parser.add_subparsers(dest="command")
    cli.register(sub)
    return parser.parse_args(list(argv))


def test_check_ok(tiny_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = parse("knowledge", "check", "--catalogue", str(tiny_path))
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip() == "OK: 4 services in 1 files"


def test_check_lists_every_problem(
    write_catalogue: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = TINY_CATALOGUE.replace("district: 南山区", "district: 火星区").replace(
        "online_url: https://example.gov.cn/gjj", "online_url: example"
    )
    folder = write_catalogue({"a.yml": TINY_CATALOGUE, "b.yml": bad})
    args = parse("knowledge", "check", "--catalogue", str(folder))
    assert args.func(args) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert "b.yml: id-first: locations[0].district: unknown district '火星区'" in lines[0]
    assert any(
        line.startswith("b.yml: gjj-rent: online_url: must be an http(s) URL") for line in lines
    )
    assert "b.yml: id-renew: id: duplicate id (also in a.yml)" in lines


def test_check_with_custom_districts(tiny_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = parse("knowledge", "check", "--catalogue", str(tiny_path), "--districts", "南山区")
    assert args.func(args) == 1
    assert "unknown district '福田区'" in capsys.readouterr().out


def test_eval_json(tiny_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries = tmp_path / "q.yml"
    queries.write_text(
        "queries:\n  - {text: 身份证丢了要带啥, expect: id-renew, aspect: materials}\n",
        encoding="utf-8",
    )
    args = parse(
        "knowledge", "eval", "--catalogue", str(tiny_path), "--queries", str(queries), "--json"
    )
    assert args.func(args) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["n"] == 1 and figures["top1"] == 1.0 and figures["aspect_accuracy"] == 1.0
    assert set(figures["per_aspect"]) == {"materials"}


def test_eval_bad_queries_exit_1(
    tiny_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.yml"
    queries.write_text("queries:\n  - {text: x, expect: nope, aspect: fee}\n", encoding="utf-8")
    args = parse("knowledge", "eval", "--catalogue", str(tiny_path), "--queries", str(queries))
    assert args.func(args) == 1
    assert "queries[0]: expect: unknown service id 'nope'" in capsys.readouterr().err


def test_knowledge_without_subcommand_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse("knowledge")
    assert args.func(args) == 2
    assert "check" in capsys.readouterr().err


def test_subprocess_check_and_eval(
    tiny_path: Path, write_catalogue: Writer, tmp_path: Path
) -> None:
    ok = run("check", "--catalogue", str(tiny_path))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "OK: 4 services in 1 files"
    broken = write_catalogue({"x.yml": "services:\n  - id: [\n"}, folder="broken")
    bad = run("check", "--catalogue", str(broken))
    assert bad.returncode == 1
    assert bad.stdout.startswith("x.yml: YAML syntax error at line ")
    queries = tmp_path / "q.yml"
    queries.write_text(
        "queries:\n  - {text: 租房提取公积金网上能办吗, expect: gjj-rent, aspect: online}\n",
        encoding="utf-8",
    )
    result = run("eval", "--catalogue", str(tiny_path), "--queries", str(queries))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("queries 1  top1 1.0000")
