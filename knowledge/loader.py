"""Load and validate the service catalogue, reporting every problem at once.

``path`` is one YAML file or a folder. In a folder every ``*.yml``/``*.yaml`` file is read in
sorted name order, except ``synonyms.yml``/``synonyms.yaml`` (the synonym dictionary, see
``knowledge.synonyms``); other files (README.txt, jieba word lists ...) are ignored. Each file
has a top-level ``services:`` list (plus optional ``version``/``title``/``description``/
``updated``/``meta`` keys). Problems found: YAML syntax errors (with line), a wrong top level,
duplicate keys in one mapping, unknown keys, missing fields, wrong types, empty name or
materials, bad URLs, unknown districts, duplicate ids across all files (naming both), and an
unreadable ``synonyms.yml`` in the folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.schema import Catalogue, Service
from knowledge.synonyms import SynonymsError, load_synonyms

SYNONYM_FILES = frozenset({"synonyms.yml", "synonyms.yaml"})
CATALOGUE_SUFFIXES = frozenset({".yml", ".yaml"})
_META_KEYS = frozenset({"version", "title", "description", "updated", "meta"})


@dataclass(frozen=True)
class Problem:
    """One catalogue problem; ``str()`` reads ``huji.yml: hj-1: materials: must not be empty``."""

    file: str
    service_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return ": ".join(p for p in (self.file, self.service_id, self.field, self.message) if p)


class CatalogueError(Exception):
    """The catalogue has problems; ``problems`` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} catalogue problem(s):\n{lines}")


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader (libyaml when available) that records duplicate keys instead of silently
    keeping the last one."""

    duplicates: list[tuple[int, str]]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str) and key in seen:
            loader.duplicates.append((key_node.start_mark.line + 1, key))
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def catalogue_files(path: Path) -> list[Path]:
    """The catalogue files under ``path`` (a file is its own list)."""
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.is_file()
            and p.suffix.lower() in CATALOGUE_SUFFIXES
            and p.name.lower() not in SYNONYM_FILES
            and not p.name.startswith(".")
        )
    return [path]


def _read_yaml(file: Path) -> tuple[Any, list[Problem]]:
    name = file.name
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, "", "", f"cannot read file: {exc}")]
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, "", "", f"YAML syntax error{where}: {problem}")]
    finally:
        loader.dispose()
    problems = [
        Problem(name, "", "", f"line {line}: duplicate key {key!r}")
        for line, key in loader.duplicates
    ]
    return data, problems


def _service_list(name: str, data: Any) -> tuple[list[Any], list[Problem]]:
    if data is None:
        return [], [Problem(name, "", "", "file is empty: expected a top-level 'services:' list")]
    if not isinstance(data, dict):
        return [], [Problem(name, "", "", "top level must be a mapping with 'services:'")]
    problems = [
        Problem(name, "", str(key), "unknown top-level key (expected 'services')")
        for key in data
        if key != "services" and key not in _META_KEYS
    ]
    services = data.get("services")
    if "services" not in data:
        problems.append(Problem(name, "", "services", "missing top-level 'services:' list"))
    elif not isinstance(services, list) or not services:
        problems.append(Problem(name, "", "services", "must be a non-empty list of services"))
    return services if isinstance(services, list) else [], problems


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown key"
    msg = str(error["msg"])
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return f"wrong type: {msg}"


def _validate(
    name: str, index: int, raw: Any, districts: Sequence[str]
) -> tuple[Service | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem(name, f"services[{index}]", "", "each service must be a mapping")]
    raw_id = raw.get("id")
    sid = str(raw_id).strip() if raw_id not in (None, "") else f"services[{index}]"
    try:
        return Service.model_validate(raw, context={"districts": list(districts)}), []
    except ValidationError as exc:
        return None, [
            Problem(name, sid, _field_path(tuple(e["loc"])), _message(e)) for e in exc.errors()
        ]


def _read_all(path: Path, districts: Sequence[str]) -> tuple[list[Service], list[Problem], int]:
    if not path.exists():
        return [], [Problem(str(path), "", "", "no such file or directory")], 0
    files = catalogue_files(path)
    if not files:
        return [], [Problem(str(path), "", "", "no *.yml catalogue files in this folder")], 0
    services: list[Service] = []
    problems: list[Problem] = []
    first_file: dict[str, str] = {}
    for file in files:
        data, read_problems = _read_yaml(file)
        problems += read_problems
        raw_services, top_problems = (
            _service_list(file.name, data) if not read_problems else ([], [])
        )
        problems += top_problems
        for index, raw in enumerate(raw_services):
            service, service_problems = _validate(file.name, index, raw, districts)
            problems += service_problems
            if service is None:
                continue
            if service.id in first_file:
                also = first_file[service.id]
                problems.append(
                    Problem(file.name, service.id, "id", f"duplicate id (also in {also})")
                )
                continue
            first_file[service.id] = file.name
            services.append(service)
    return services, problems, len(files)


def _synonym_problems(path: Path) -> list[Problem]:
    if not path.is_dir():
        return []
    problems = []
    for name in sorted(SYNONYM_FILES):
        if (path / name).is_file():
            try:
                load_synonyms(path / name)
            except SynonymsError as exc:
                problems.append(Problem("", "", "", str(exc)))
    return problems


def check_catalogue(path: Path, districts: Sequence[str]) -> list[Problem]:
    """Every problem in the catalogue at ``path`` (empty when it is valid)."""
    return _read_all(Path(path), districts)[1] + _synonym_problems(Path(path))


def load_catalogue_files(path: Path, districts: Sequence[str]) -> tuple[Catalogue, int]:
    """The catalogue and the number of files read; raises ``CatalogueError`` on any problem."""
    services, problems, n_files = _read_all(Path(path), districts)
    problems += _synonym_problems(Path(path))
    if problems:
        raise CatalogueError(problems)
    return Catalogue(services=tuple(services)), n_files


def load_catalogue(path: Path, districts: Sequence[str]) -> Catalogue:
    """The catalogue at ``path``; raises ``CatalogueError`` listing every problem."""
    return load_catalogue_files(path, districts)[0]
