"""The shipped stories pass, and the story runner reports failures and bad files."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config
from bot.dialogue.stories import StoryFormatError, load_stories
from bot.dialogue.story_runner import StoryRunner, print_report

STORIES = Path(__file__).resolve().parents[2] / "stories"


async def test_all_shipped_stories_pass(dialogue_config: Callable[..., Config]) -> None:
    files = load_stories(STORIES)
    results = await StoryRunner(dialogue_config()).run(files)
    report = io.StringIO()
    print_report(results, report)
    assert len(results) >= 30
    assert all(r.passed for r in results), report.getvalue()


def test_shipped_stories_cover_every_flow() -> None:
    intents = {step.intent for f in load_stories(STORIES) for s in f.stories for step in s.steps}
    flows = {
        "clarify",
        "choose_service",
        "ask_fee",
        "ask_location",
        "reset",
        "query_case_status",
        "subscribe_updates",
        "unsubscribe",
        "complaint",
        "request_human",
        "handoff_relay",
        "end_handoff",
        "handoff_option",
        "rate_service",
        "fallback",
        "greet",
        "thanks",
        "goodbye",
        "welcome",
        "ask_which_service",
        "cancel",
    }
    assert flows <= intents, flows - intents


FAILING = """
stories:
  - name: 期望错误的故事
    steps:
      - user: 你好
        intent: goodbye
        contains: [不会出现的文字]
  - name: 通过的故事
    steps:
      - user: 你好
        intent: greet
"""


async def test_runner_reports_each_failed_expectation(
    tmp_path: Path, dialogue_config: Callable[..., Config]
) -> None:
    path = tmp_path / "stories.yml"
    path.write_text(FAILING, encoding="utf-8")
    results = await StoryRunner(dialogue_config()).run(load_stories(path))
    assert [r.passed for r in results] == [False, True]
    (failure,) = results[0].failures
    assert failure.problems == (
        "intent: expected goodbye, got greet",
        "missing text '不会出现的文字'",
    )
    report = io.StringIO()
    print_report(results, report)
    text = report.getvalue()
    assert "FAIL" in text and "PASS" in text and "2 stories: 1 passed, 1 failed" in text


def test_stories_command_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nlu_model_dir: Path
) -> None:
    config = tmp_path / "config.yml"
    catalogue = STORIES.parent / "knowledge" / "catalogue"
    config.write_text(
        f"nlu:\n  model_dir: {nlu_model_dir}\nknowledge:\n  catalogue: {catalogue}\n",
        encoding="utf-8",
    )
    failing = tmp_path / "failing.yml"
    failing.write_text(FAILING, encoding="utf-8")
    assert main(["test", "stories", str(failing), "--config", str(config)]) == 1
    assert "1 passed, 1 failed" in capsys.readouterr().out
    passing = tmp_path / "passing.yml"
    passing.write_text(
        FAILING.split("  - name: 通过的故事")[0].replace(
            "intent: goodbye\n        contains: [不会出现的文字]", "intent: greet"
        ),
        encoding="utf-8",
    )
    assert main(["test", "stories", str(passing), "--config", str(config)]) == 0
    broken = tmp_path / "broken.yml"
    broken.write_text("stories:\n  - name: x\n    steps: [{user: hi, agent: hello}]\n")
    assert main(["test", "stories", str(broken), "--config", str(config)]) == 2
    assert "exactly one of user, agent, agent_close" in capsys.readouterr().err


def test_story_files_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "s.yml"
    path.write_text("stories:\n  - name: x\n    steps: [{user: hi, contain: [a]}]\n")
    with pytest.raises(StoryFormatError, match=r"stories\.0\.steps\.0\.contain"):
        load_stories(path)
    path.write_text(
        "fixtures: {cases: nowhere.yml}\nstories:\n  - {name: x, steps: [{user: hi}]}\n"
    )
    with pytest.raises(StoryFormatError, match="no such file"):
        load_stories(path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StoryFormatError, match="no story files"):
        load_stories(empty)
