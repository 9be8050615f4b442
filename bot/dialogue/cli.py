"""``citizen-hub cases import FILE`` and ``citizen-hub test stories PATH``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.case_fixtures import FixtureError, load_case_fixture
from bot.cases import CaseRepository
from bot.config import load_config
from bot.db import Database
from bot.dialogue.stories import StoryFormatError, load_stories
from bot.dialogue.story_runner import StoryRunner, print_report


async def _import_cases(database_url: str, path: Path) -> tuple[int, int]:
    records = load_case_fixture(path)
    db = Database(database_url)
    try:
        await db.create_all()
        return await CaseRepository(db).upsert(records)
    finally:
        await db.close()


def cmd_cases_import(args: argparse.Namespace) -> int:
    config = load_config(getattr(args, "config", None))
    try:
        cases, events = asyncio.run(_import_cases(config.storage.database_url, Path(args.file)))
    except FixtureError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"imported {cases} cases with {events} events into {config.storage.database_url}")
    return 0


def cmd_test_stories(args: argparse.Namespace) -> int:
    config = load_config(getattr(args, "config", None))
    try:
        files = load_stories(Path(args.path))
    except StoryFormatError as exc:
        print(exc, file=sys.stderr)
        return 2
    results = asyncio.run(StoryRunner(config).run(files))
    print_report(results, sys.stdout)
    return 0 if all(r.passed for r in results) else 1


def register(sub: Any) -> None:
    """Add the ``cases`` and ``test`` command groups to the ``citizen-hub`` parser."""
    cases = sub.add_parser("cases", help="case records (办件)")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True)
    importer = cases_sub.add_parser("import", help="import a YAML/JSON case fixture")
    importer.add_argument("file")
    importer.set_defaults(func=cmd_cases_import)

    test = sub.add_parser("test", help="conversation tests")
    test_sub = test.add_subparsers(dest="test_command", required=True)
    stories = test_sub.add_parser("stories", help="run story files through the hub")
    stories.add_argument("path", help="a story file or a folder of them")
    stories.set_defaults(func=cmd_test_stories)
