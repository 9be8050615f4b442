"""Dictionary entities: Shenzhen districts, the data's lookup tables and annotated values.

A ``Gazetteer`` finds the longest surface forms in normalised text (leftmost-longest, one
compiled alternation). Surfaces made of letters/digits must not cut through a longer run of
letters/digits. Fuzzy matching (optional): a Chinese surface of 4+ characters also matches
with one inner character left out (a common typing slip), when that variant is unambiguous
and not itself another entry; such entities get confidence 0.8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from intents.entities.numbers import cuts_token as _cuts_token
from intents.normalize import normalize
from intents.places import SHENZHEN_DISTRICTS
from intents.types import Entity

_EXTRA_DISTRICT_FORMS = {"大鹏新区": ("大鹏区", "大鹏"), "深汕特别合作区": ("深汕合作区", "深汕")}
_ALNUM = re.compile(r"[0-9a-z]")


def district_forms(districts: Iterable[str] = SHENZHEN_DISTRICTS) -> dict[str, str]:
    """Surface form -> official name: 南山区 and 南山 -> 南山区; 大鹏 -> 大鹏新区."""
    forms: dict[str, str] = {}
    for name in districts:
        forms[name] = name
        for extra in _EXTRA_DISTRICT_FORMS.get(name, ()):
            forms[extra] = name
        if name.endswith("区") and len(name) >= 3:
            forms.setdefault(name[:-1], name)
    return forms


class Gazetteer:
    """Surface form -> (entity, value); finds non-overlapping leftmost-longest matches."""

    def __init__(
        self, entries: Iterable[tuple[str, str, str]], extractor: str, fuzzy: bool = False
    ):
        self.extractor = extractor
        self._table: dict[str, tuple[str, str]] = {}
        for surface, entity, value in entries:
            key = normalize(surface.strip())
            if key:
                self._table.setdefault(key, (entity, value))
        self._fuzzy: dict[str, str] = _fuzzy_variants(self._table) if fuzzy else {}
        keys = sorted({*self._table, *self._fuzzy}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def __len__(self) -> int:
        return len(self._table)

    def find(self, norm: str, original: str) -> list[Entity]:
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(norm):
            start, end = match.span()
            if _cuts_token(norm, start, end):
                continue
            surface = match.group(0)
            confidence = 1.0
            if surface not in self._table:
                surface, confidence = self._fuzzy[surface], 0.8
            entity, value = self._table[surface]
            found.append(
                Entity(entity, start, end, value, original[start:end], self.extractor, confidence)
            )
        return found


def _fuzzy_variants(table: dict[str, tuple[str, str]]) -> dict[str, str]:
    """One deletion per surface of >= 4 chars, where unambiguous (typo tolerance)."""
    variants: dict[str, str | None] = {}
    for surface in table:
        if len(surface) < 4 or _ALNUM.search(surface):
            continue
        for i in range(1, len(surface) - 1):
            variant = surface[:i] + surface[i + 1 :]
            if variant in table:
                continue
            variants[variant] = None if variants.get(variant, surface) != surface else surface
    return {k: v for k, v in variants.items() if v is not None}
