"""Run stories through the Hub that ``bot.app.build_core`` builds, on a throw-away database,
and print a pass/fail table like ``rasa test core``."""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.app import Core, build_core
from bot.case_fixtures import load_case_fixture
from bot.config import Config
from bot.dialogue.stories import Step, Story, StoryFile
from bot.messages import InboundMessage, Reply


class StoryClock:
    """Real time, or a fixed moment that advances one second per reading."""

    def __init__(self) -> None:
        self._fixed: datetime | None = None

    def set(self, moment: datetime | None) -> None:
        self._fixed = moment

    def now(self) -> datetime:
        if self._fixed is None:
            return datetime.now(UTC)
        self._fixed += timedelta(seconds=1)
        return self._fixed


@dataclass(frozen=True)
class StepFailure:
    step: int
    label: str
    problems: tuple[str, ...]
    replies: tuple[str, ...]


@dataclass(frozen=True)
class StoryResult:
    file: Path
    name: str
    steps: int
    passed_steps: int
    failures: tuple[StepFailure, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return not self.failures


def _isolated(config: Config, folder: Path) -> Config:
    storage = config.storage.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{folder}/stories.db", "redis_url": None}
    )
    return config.model_copy(update={"storage": storage})


def check_step(step: Step, replies: Sequence[Reply], intent: str | None, limit: int) -> list[str]:
    """What is wrong with the bot's answer to one user step (empty when it passes)."""
    plain = [r.as_plain_text() for r in replies]
    joined = "\n".join(plain)
    problems = [f"reply longer than {limit} characters ({len(p)})" for p in plain if len(p) > limit]
    if step.intent is not None and step.intent != intent:
        problems.append(f"intent: expected {step.intent}, got {intent}")
    problems += [f"missing text {t!r}" for t in step.contains if t not in joined]
    problems += [f"unexpected text {t!r}" for t in step.not_contains if t in joined]
    titles = {b.title for r in replies for b in r.buttons}
    problems += [f"missing button {b!r}" for b in step.buttons if b not in titles]
    if step.silent and replies:
        problems.append("expected no reply")
    return problems


class StoryRunner:
    def __init__(self, config: Config) -> None:
        self._config = config

    async def run(self, files: Sequence[StoryFile]) -> list[StoryResult]:
        clock = StoryClock()
        with tempfile.TemporaryDirectory(prefix="citizen-hub-stories-") as tmp:
            core = build_core(_isolated(self._config, Path(tmp)), clock=clock.now)
            await core.start()
            try:
                for file in files:
                    if file.cases is not None:
                        await core.dialogue.cases.upsert(load_case_fixture(file.cases))
                results: list[StoryResult] = []
                for file in files:
                    for story in file.stories:
                        runner = _OneStory(core, clock, story, f"story-{len(results) + 1}")
                        results.append(await runner.run(file.path))
                return results
            finally:
                await core.close()


class _OneStory:
    def __init__(self, core: Core, clock: StoryClock, story: Story, sender: str) -> None:
        self.core = core
        self.clock = clock
        self.story = story
        self.sender = story.sender or sender

    def sender_of(self, step: Step | None) -> str:
        return f"{self.sender}-{step.sender}" if step and step.sender else self.sender

    def session_key(self, step: Step | None = None) -> str:
        return f"{self.story.channel}:{self.sender_of(step)}"

    async def run(self, path: Path) -> StoryResult:
        self.clock.set(self.story.now)
        presence = self.core.dialogue.handoff.presence
        for agent in self.story.agents_online:
            await presence.heartbeat(agent)
        failures: list[StepFailure] = []
        try:
            for number, step in enumerate(self.story.steps, 1):
                failure = await self._step(number, step)
                if failure is not None:
                    failures.append(failure)
        finally:
            for agent in self.story.agents_online:
                await presence.leave(agent)
        steps = len(self.story.steps)
        return StoryResult(path, self.story.name, steps, steps - len(failures), tuple(failures))

    async def _state(self, step: Step | None = None) -> dict[str, object]:
        return await self.core.coordination.sessions.get(self.session_key(step)) or {}

    async def _step(self, number: int, step: Step) -> StepFailure | None:
        if step.user is None:
            problem = await self._agent_step(step)
            return None if problem is None else StepFailure(number, step.label, (problem,), ())
        sender = self.sender_of(step)
        message = InboundMessage(self.story.channel, sender, step.user, step.metadata)
        replies = await self.core.hub.handle(message)
        intent = (await self._state(step)).get("last_intent")
        limit = self.core.config.dialogue.max_reply_chars
        problems = check_step(step, replies, str(intent) if intent else None, limit)
        if not problems:
            return None
        shown = tuple(r.as_plain_text() for r in replies)
        return StepFailure(number, step.label, tuple(problems), shown)

    async def _agent_step(self, step: Step) -> str | None:
        ticket = (await self._state(step)).get("handoff_ticket")
        if not isinstance(ticket, str):
            return "no open handoff ticket for the agent to act on"
        queue = self.core.dialogue.handoff
        agent = self.story.agents_online[0] if self.story.agents_online else "story-agent"
        if step.agent is not None:
            await queue.agent_reply(ticket, agent, step.agent)
        else:
            await queue.close(ticket, by=agent)
        return None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-2] + "…"
    return text + " " * (width - _width(text))


def print_report(results: Sequence[StoryResult], out: TextIO) -> None:
    name_width = min(48, max([_width(r.name) for r in results] + [5]))
    out.write(f"{'#':>3}  {_cell('story', name_width)}  {'file':<22}  steps  result\n")
    out.write("-" * (name_width + 44) + "\n")
    for i, r in enumerate(results, 1):
        status = "PASS" if r.passed else "FAIL"
        steps = f"{r.passed_steps}/{r.steps}"
        out.write(f"{i:>3}  {_cell(r.name, name_width)}  {r.file.name:<22}  {steps:>5}  {status}\n")
    failed = [r for r in results if not r.passed]
    for r in failed:
        out.write(f"\nFAILED {r.name} ({r.file})\n")
        for f in r.failures:
            out.write(f"  step {f.step} [{f.label}]\n")
            for problem in f.problems:
                out.write(f"    - {problem}\n")
            for reply in f.replies:
                out.write("    bot> " + reply.replace("\n", "\n         ") + "\n")
    passed = len(results) - len(failed)
    out.write(f"\n{len(results)} stories: {passed} passed, {len(failed)} failed\n")
