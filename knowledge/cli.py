"""``knowledge check`` and ``knowledge eval`` subcommands.

``bot/cli.py`` calls ``register(subparsers)`` and runs ``args.func(args)``; ``python -m
knowledge`` runs the same commands standalone. Districts come from ``--districts`` (a comma
list, default the Shenzhen districts): this package does not read the bot's config.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.districts import DEFAULT_DISTRICTS
from knowledge.evaluate import QueryFileError, evaluate_report, format_report, load_queries
from knowledge.loader import CatalogueError, check_catalogue, load_catalogue_files
from knowledge.synonyms import SynonymsError

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CATALOGUE = PACKAGE_DIR / "catalogue"
DEFAULT_QUERIES = PACKAGE_DIR / "eval" / "queries.yml"


def _districts(args: argparse.Namespace) -> tuple[str, ...]:
    raw = getattr(args, "districts", None)
    if not raw:
        return DEFAULT_DISTRICTS
    return tuple(d.strip() for d in raw.split(",") if d.strip())


def cmd_check(args: argparse.Namespace) -> int:
    """Print every catalogue problem (exit 1) or ``OK: N services in M files`` (exit 0)."""
    path = Path(args.catalogue)
    problems = check_catalogue(path, _districts(args))
    if problems:
        for problem in problems:
            print(problem)
        return 1
    catalogue, n_files = load_catalogue_files(path, _districts(args))
    print(f"OK: {len(catalogue.services)} services in {n_files} files")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate search and aspect detection on a labelled query file."""
    try:
        kb = KnowledgeBase.load(Path(args.catalogue), _districts(args), args.synonyms)
        queries = load_queries(Path(args.queries), kb.catalogue)
    except CatalogueError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except (QueryFileError, SynonymsError) as exc:
        print(exc, file=sys.stderr)
        return 1
    report = evaluate_report(kb, queries)
    if args.json:
        print(json.dumps(report.figures, ensure_ascii=False))
    else:
        print(format_report(report))
    return 0


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalogue", default=str(DEFAULT_CATALOGUE), help="catalogue file or folder"
    )
    parser.add_argument(
        "--districts", default=None, help="comma-separated district names (default: Shenzhen)"
    )
    parser.add_argument(
        "--synonyms", type=Path, default=None, help="extra synonyms.yml (default: beside it)"
    )


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``knowledge check`` and ``knowledge eval`` to a parent CLI."""
    parser = subparsers.add_parser("knowledge", help="service catalogue tools")
    sub = parser.add_subparsers(dest="knowledge_command")
    parser.set_defaults(func=lambda _args: _usage(parser))
    check = sub.add_parser("check", help="validate the catalogue, listing every problem")
    _common(check)
    check.set_defaults(func=cmd_check)
    ev = sub.add_parser("eval", help="search and aspect accuracy on labelled queries")
    _common(ev)
    ev.add_argument("--queries", default=str(DEFAULT_QUERIES), help="queries YAML file")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.set_defaults(func=cmd_eval)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m knowledge check|eval ...``."""
    parser = argparse.ArgumentParser(prog="knowledge")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(["knowledge", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code
