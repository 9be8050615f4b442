"""Rasa 3.x NLU YAML -> frozen ``TrainingData``, with errors that name file and line.

Accepted items under ``nlu:``: ``intent`` / ``regex`` / ``lookup`` / ``synonym``, each with
``examples`` (a literal block of ``- example`` lines; a YAML list of strings is accepted too).
Inline entities: ``[text](name)``, ``[text](name:value)`` and
``[text]{"entity": "name", "value": "v", "role": "r", "group": "g"}``.
Top-level keys other than ``version`` and ``nlu`` (stories, rules, responses ...) are ignored.
Every problem in a file is collected and raised together as one ``TrainingDataError``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from intents.normalize import normalize_loose

BUILTIN_ENTITIES = frozenset(
    {"id_number", "uscc", "phone", "case_no", "district", "date", "service"}
)
ITEM_KINDS = ("intent", "regex", "lookup", "synonym")
_ITEM_KEYS = frozenset({*ITEM_KINDS, "examples", "metadata"})
_NAME = re.compile(r"^[\w\-.]+$")
_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]*)\](?:\((?P<paren>[^()]*)\)|(?P<json>\{[^{}]*\}))")
_BROKEN = re.compile(r"\[[^\[\]]*\](?:\(|\{)")


class TrainingDataError(ValueError):
    """The training data is invalid; each line of the message is ``file:line: problem``."""


@dataclass(frozen=True)
class EntitySpan:
    entity: str
    start: int
    end: int
    value: str
    text: str
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    entities: tuple[EntitySpan, ...] = ()
    source: str = "<memory>"
    line: int = 0


@dataclass(frozen=True)
class RegexPattern:
    name: str
    pattern: str
    source: str = "<memory>"
    line: int = 0


@dataclass(frozen=True)
class TrainingData:
    examples: tuple[Example, ...] = ()
    regexes: tuple[RegexPattern, ...] = ()
    lookups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()  # (surface text, canonical value)
    sources: tuple[str, ...] = ()
    sha256: str = field(default="")
    # Problems tolerated by a lenient load (strict=False): unknown entities, duplicates.
    warnings: tuple[str, ...] = ()

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(sorted({e.intent for e in self.examples}))

    def annotated_entities(self) -> frozenset[str]:
        return frozenset(s.entity for e in self.examples for s in e.entities)

    def declared_entities(self) -> frozenset[str]:
        names = {r.name for r in self.regexes} | {name for name, _ in self.lookups}
        return frozenset(names) | self.annotated_entities()

    def lookup_table(self) -> dict[str, tuple[str, ...]]:
        return dict(self.lookups)

    def synonym_table(self) -> dict[str, str]:
        return dict(self.synonyms)

    def with_examples(self, examples: Iterable[Example]) -> TrainingData:
        """The same regexes/lookups/synonyms with another set of examples (for splits)."""
        kept = tuple(examples)
        return TrainingData(
            kept,
            self.regexes,
            self.lookups,
            self.synonyms,
            self.sources,
            _hash_examples(self.sha256, kept),
        )


def _hash_examples(base: str, examples: Sequence[Example]) -> str:
    digest = hashlib.sha256(base.encode())
    for ex in examples:
        digest.update(f"{ex.intent}\t{ex.text}\n".encode())
    return digest.hexdigest()


class _Collector:
    """Accumulates the parsed items and the errors of one or more files."""

    def __init__(self, strict: bool = True) -> None:
        self.strict = strict
        self.warnings: list[str] = []
        self.errors: list[str] = []
        self.examples: list[Example] = []
        self.regexes: list[RegexPattern] = []
        self.lookups: dict[str, list[str]] = {}
        self.synonyms: dict[str, str] = {}
        self.synonym_names: set[str] = set()

    def error(self, source: str, line: int, message: str) -> None:
        self.errors.append(f"{source}:{line}: {message}")

    def doubt(self, source: str, line: int, message: str) -> None:
        """An error when strict, else a warning (data consistency, not syntax)."""
        (self.errors if self.strict else self.warnings).append(f"{source}:{line}: {message}")


def parse_annotated(text: str) -> tuple[str, list[EntitySpan]] | str:
    """Strip inline annotations; return (plain text, spans) or an error message."""
    out: list[str] = []
    spans: list[EntitySpan] = []
    pos = 0
    length = 0
    for match in _ANNOTATION.finditer(text):
        between = text[pos : match.start()]
        out.append(between)
        length += len(between)
        parsed = _annotation_target(match)
        if isinstance(parsed, str):
            return parsed
        name, value, role, group = parsed
        surface = match.group("text")
        if not surface.strip():
            return f"empty entity text in {match.group(0)!r}"
        spans.append(
            EntitySpan(name, length, length + len(surface), value or surface, surface, role, group)
        )
        out.append(surface)
        length += len(surface)
        pos = match.end()
    rest = text[pos:]
    if _BROKEN.search(rest) or "](" in rest:
        return f"bad entity annotation near {rest.strip()[:40]!r} (expected [text](entity))"
    out.append(rest)
    return "".join(out), spans


def _annotation_target(
    match: re.Match[str],
) -> tuple[str, str | None, str | None, str | None] | str:
    paren = match.group("paren")
    if paren is not None:
        name, _, value = paren.partition(":")
        name = name.strip()
        if not name or not _NAME.match(name):
            return f"bad entity name {name!r} in {match.group(0)!r}"
        return name, (value.strip() or None), None, None
    try:
        spec = json.loads(match.group("json"))
    except json.JSONDecodeError as exc:
        return f"bad JSON in entity annotation {match.group(0)!r}: {exc.msg}"
    if not isinstance(spec, dict) or not isinstance(spec.get("entity"), str):
        return f'entity annotation {match.group(0)!r} needs "entity": "name"'
    extra = set(spec) - {"entity", "value", "role", "group"}
    if extra:
        return f"unknown keys {sorted(extra)} in entity annotation {match.group(0)!r}"
    value = spec.get("value")
    return (
        spec["entity"],
        None if value is None else str(value),
        _opt_str(spec.get("role")),
        _opt_str(spec.get("group")),
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _example_lines(node: Node, source: str, col: _Collector) -> list[tuple[int, str]]:
    """The (1-based line, text) of each example under an ``examples:`` node."""
    if isinstance(node, SequenceNode):
        items = []
        for child in node.value:
            if not isinstance(child, ScalarNode):
                col.error(source, child.start_mark.line + 1, "example must be a string")
                continue
            items.append((child.start_mark.line + 1, str(child.value)))
        return items
    if not isinstance(node, ScalarNode):
        col.error(source, node.start_mark.line + 1, "examples must be a block of '- ' lines")
        return []
    first = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
    items = []
    for offset, raw in enumerate(str(node.value).split("\n")):
        stripped = raw.strip()
        if not stripped:
            continue
        line = first + offset
        if not stripped.startswith("-"):
            col.error(source, line, f"example line must start with '- ': {stripped[:40]!r}")
            continue
        items.append((line, stripped[1:].strip()))
    return items


def _mapping(node: MappingNode) -> dict[str, Node]:
    return {str(k.value): v for k, v in node.value if isinstance(k, ScalarNode)}


def _read_item(node: Node, source: str, col: _Collector) -> None:
    line = node.start_mark.line + 1
    if not isinstance(node, MappingNode):
        col.error(source, line, "each nlu item must be a mapping (intent/regex/lookup/synonym)")
        return
    keys = _mapping(node)
    kinds = [k for k in ITEM_KINDS if k in keys]
    unknown = sorted(set(keys) - _ITEM_KEYS)
    if unknown:
        col.error(source, line, f"unknown key(s) {unknown}; expected one of {list(ITEM_KINDS)}")
        return
    if len(kinds) != 1:
        col.error(source, line, f"item needs exactly one of {list(ITEM_KINDS)}, got {kinds}")
        return
    kind = kinds[0]
    name_node = keys[kind]
    name = str(name_node.value).strip() if isinstance(name_node, ScalarNode) else ""
    if not name:
        col.error(source, line, f"{kind}: name must be a non-empty string")
        return
    if "examples" not in keys:
        col.error(source, line, f"{kind} {name!r}: missing 'examples'")
        return
    for ex_line, text in _example_lines(keys["examples"], source, col):
        _add_example(kind, name, text, source, ex_line, col)


def _add_example(kind: str, name: str, text: str, source: str, line: int, col: _Collector) -> None:
    if not text:
        col.error(source, line, f"{kind} {name!r}: empty example")
        return
    if kind == "intent":
        parsed = parse_annotated(text)
        if isinstance(parsed, str):
            col.error(source, line, parsed)
            return
        plain, spans = parsed
        col.examples.append(Example(name, plain.strip(), _shift(plain, spans), source, line))
    elif kind == "regex":
        try:
            re.compile(text)
        except re.error as exc:
            col.error(source, line, f"regex {name!r}: invalid pattern {text!r}: {exc}")
            return
        col.regexes.append(RegexPattern(name, text, source, line))
    elif kind == "lookup":
        col.lookups.setdefault(name, []).append(text)
    else:
        col.synonyms[text] = name
        col.synonym_names.add(name)


def _shift(plain: str, spans: list[EntitySpan]) -> tuple[EntitySpan, ...]:
    """Spans were computed on ``plain``; move them to ``plain.strip()``."""
    lead = len(plain) - len(plain.lstrip())
    if not lead:
        return tuple(spans)
    return tuple(
        EntitySpan(s.entity, s.start - lead, s.end - lead, s.value, s.text, s.role, s.group)
        for s in spans
    )


def _read_document(text: str, source: str, col: _Collector) -> None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        col.error(source, line, f"malformed YAML: {problem}")
        return
    if root is None:
        col.error(source, 1, "empty file (expected 'nlu:')")
        return
    if not isinstance(root, MappingNode):
        col.error(source, root.start_mark.line + 1, "top level must be a mapping with 'nlu:'")
        return
    top = _mapping(root)
    nlu = top.get("nlu")
    if nlu is None:
        col.error(source, 1, "missing top-level 'nlu:' list")
        return
    if not isinstance(nlu, SequenceNode):
        col.error(source, nlu.start_mark.line + 1, "'nlu:' must be a list of items")
        return
    for item in nlu.value:
        _read_item(item, source, col)


def _check(col: _Collector) -> None:
    allowed = BUILTIN_ENTITIES | {r.name for r in col.regexes} | set(col.lookups)
    allowed |= col.synonym_names
    seen: dict[str, Example] = {}
    for ex in col.examples:
        for span in ex.entities:
            if span.entity not in allowed:
                col.doubt(
                    ex.source,
                    ex.line,
                    f"unknown entity {span.entity!r} "
                    f"(known: {', '.join(sorted(allowed))}; declare it with regex: "
                    "or lookup:)",
                )
        key = normalize_loose(ex.text)
        other = seen.get(key)
        if other is not None and other.intent != ex.intent:
            col.doubt(
                ex.source,
                ex.line,
                f"duplicate example {ex.text!r} in intents "
                f"{other.intent!r} ({other.source}:{other.line}) and {ex.intent!r}",
            )
        seen.setdefault(key, ex)


def _dedupe(examples: list[Example]) -> tuple[Example, ...]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for ex in examples:
        key = (ex.intent, ex.text)
        if key not in seen:
            seen.add(key)
            kept.append(ex)
    return tuple(kept)


def data_files(path: str | Path) -> list[Path]:
    """A file, or every ``*.yml``/``*.yaml`` in a folder (sorted)."""
    p = Path(path)
    if p.is_dir():
        return sorted([*p.glob("*.yml"), *p.glob("*.yaml")])
    return [p]


def load_training_data(*paths: str | Path, strict: bool = True) -> TrainingData:
    """Load and merge NLU files (or folders of them); raise ``TrainingDataError`` on problems.

    ``strict=False`` (for test sets, whose entities are declared in the training file)
    turns unknown entity names and cross-intent duplicates into ``TrainingData.warnings``.
    """
    col = _Collector(strict)
    digest = hashlib.sha256()
    sources = []
    for path in (f for p in paths for f in data_files(p)):
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            col.error(str(path), 0, f"cannot read: {exc}")
            continue
        digest.update(raw)
        sources.append(str(path))
        _read_document(text, str(path), col)
    if not sources and not col.errors:
        col.error(", ".join(map(str, paths)) or "<none>", 0, "no NLU data files found")
    return _finish(col, tuple(sources), digest.hexdigest())


def parse_training_text(text: str, source: str = "<string>", strict: bool = True) -> TrainingData:
    """Like ``load_training_data`` for YAML held in memory (tests, HTTP uploads)."""
    col = _Collector(strict)
    _read_document(text, source, col)
    return _finish(col, (source,), hashlib.sha256(text.encode("utf-8")).hexdigest())


def _finish(col: _Collector, sources: tuple[str, ...], sha256: str) -> TrainingData:
    _check(col)
    if col.errors:
        raise TrainingDataError("\n".join(col.errors))
    return TrainingData(
        examples=_dedupe(col.examples),
        regexes=tuple(col.regexes),
        lookups=tuple((k, tuple(v)) for k, v in col.lookups.items()),
        synonyms=tuple(col.synonyms.items()),
        sources=sources,
        sha256=sha256,
        warnings=tuple(col.warnings),
    )
