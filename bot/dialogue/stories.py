"""Story tests: scripted conversations run through the real Hub (``citizen-hub test stories``).

```yaml
fixtures:
  cases: fixtures/cases.yml        # optional, relative to this file; imported before running
stories:
  - name: 追问费用保持事项
    channel: webchat               # optional (default webchat); sms / wechat render as text
    now: "2026-03-02T10:00:00+08:00"   # optional fixed clock (service hours, ticket dates)
    agents_online: [agent-1]       # optional: agents present in the handoff queue
    steps:
      - user: 我想办港澳通行证
        intent: clarify            # the dialogue's resolved intent for this turn
        contains: [首次申领]        # text every reply together must contain ...
        not_contains: [抱歉]        # ... and must not contain
        buttons: [往来港澳通行证首次申领]   # button titles that must be offered
      - user: ""                   # with metadata, e.g. the WeChat follow event
        metadata: {event: subscribe}
      - agent: 您好，我是人工客服    # the agent answers the open handoff ticket
      - agent_close: true          # the agent closes it
      - user: 在吗
        silent: true               # no reply at all
      - user: 那要多少钱
        sender: b                  # a second citizen: no context of the first
```
Every reply of every step must also fit ``dialogue.max_reply_chars``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class StoryFormatError(Exception):
    """A story file is unreadable or invalid; the message names the file and the item."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Model):
    user: str | None = None
    # Another citizen in the same story (``sender: b``), to check that sessions are isolated.
    sender: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    agent: str | None = None
    agent_close: bool = False
    intent: str | None = None
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    silent: bool = False

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        actions = [self.user is not None, self.agent is not None, self.agent_close]
        if sum(actions) != 1:
            raise ValueError("each step needs exactly one of user, agent, agent_close")
        expects = self.intent or self.contains or self.not_contains or self.buttons or self.silent
        if self.user is None and expects:
            raise ValueError("expectations belong to user steps")
        return self

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"user: {self.user}" if self.user else f"event: {self.metadata}"
        return f"agent: {self.agent}" if self.agent is not None else "agent closes"


class Story(_Model):
    name: str = Field(min_length=1)
    channel: str = "webchat"
    sender: str | None = None
    now: datetime | None = None
    agents_online: tuple[str, ...] = ()
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _aware_now(self) -> Story:
        if self.now is not None and self.now.tzinfo is None:
            raise ValueError("now: give a UTC offset, e.g. 2026-03-02T10:00:00+08:00")
        return self


class _Fixtures(_Model):
    cases: str | None = None


class _StoryFile(_Model):
    fixtures: _Fixtures = _Fixtures()
    stories: tuple[Story, ...] = Field(min_length=1)


@dataclass(frozen=True)
class StoryFile:
    path: Path
    stories: tuple[Story, ...]
    cases: Path | None


def _load_file(path: Path) -> StoryFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StoryFormatError(f"{path}: cannot read: {exc}") from None
    try:
        parsed = _StoryFile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise StoryFormatError("\n".join(lines)) from None
    cases = path.parent / parsed.fixtures.cases if parsed.fixtures.cases else None
    if cases is not None and not cases.is_file():
        raise StoryFormatError(f"{path}: fixtures.cases: no such file {cases}")
    return StoryFile(path, parsed.stories, cases)


def _is_story_file(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return True  # let _load_file report it
    return isinstance(data, dict) and "stories" in data


def load_stories(path: Path) -> list[StoryFile]:
    """One story file, or every ``*.yml``/``*.yaml`` with a ``stories:`` key in a folder."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml"))
        files = [p for p in files if _is_story_file(p)]
        if not files:
            raise StoryFormatError(f"{path}: no story files (YAML with a 'stories:' key)")
        return [_load_file(p) for p in files]
    if not path.is_file():
        raise StoryFormatError(f"{path}: no such file or folder")
    return [_load_file(path)]
