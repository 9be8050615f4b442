"""Validated number entities: resident ID (GB 11643), USCC (GB 32100), mobile phone, regexes.

All scanners take the *normalised* text (same length as the citizen's text, half-width,
lower case) and return spans on it, which are therefore spans on the original text.

Decisions:
- ``id_number``: 18 characters (17 digits + digit/X), optional single space or dash between
  the 6-8-4 groups; valid only if python-stdnum ``cn.ric`` accepts it (checksum, birth date,
  region). A well-formed but invalid number is *not* an entity; it is reported as a
  ``Suspect`` (kind ``invalid_id_number``) so the dialogue can say it looks mistyped.
  15-digit first-generation IDs are not recognised.
- ``uscc``: 18 characters accepted by ``cn.uscc``; an all-digit string that is a valid ID is
  an ID, not a USCC.
- ``phone``: mainland *mobile* numbers only (1[3-9] + 9 digits), optionally prefixed by
  ``+86``/``0086``/``86``, tolerating spaces or dashes in 3-4-4 grouping. The span includes
  the prefix; the value is the bare 11 digits. Landlines (0755-xxxxxxxx, 8-digit local
  numbers) and service numbers (12345) are deliberately not phones: the hub only sends SMS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from intents.types import Entity

_ID = re.compile(r"(?<![0-9a-z])(\d{6}[ -]?\d{8}[ -]?\d{3}[0-9x])(?![0-9a-z])")
_USCC = re.compile(r"(?<![0-9a-z])([0-9a-hj-np-rtuwxy]{2}\d{6}[0-9a-hj-np-rtuwxy]{10})(?![0-9a-z])")
_MOBILE = re.compile(
    r"(?<![0-9+])((?:(?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4}))(?![0-9])"
)


@dataclass(frozen=True)
class Suspect:
    """Something that looks like an entity but fails validation (e.g. a bad ID checksum)."""

    kind: str
    start: int
    end: int
    text: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "reason": self.reason,
        }


def _compact(text: str) -> str:
    return re.sub(r"[ -]", "", text).upper()


def find_id_numbers(norm: str, original: str) -> tuple[list[Entity], list[Suspect]]:
    found: list[Entity] = []
    suspects: list[Suspect] = []
    for match in _ID.finditer(norm):
        start, end = match.span(1)
        number = _compact(match.group(1))
        try:
            ric.validate(number)
        except ValidationError as exc:
            suspects.append(Suspect("invalid_id_number", start, end, original[start:end], str(exc)))
            continue
        found.append(
            Entity("id_number", start, end, number, original[start:end], "IdNumberExtractor")
        )
    return found, suspects


def find_usccs(norm: str, original: str) -> list[Entity]:
    found = []
    for match in _USCC.finditer(norm):
        number = match.group(1).upper()
        if number.isdigit() and ric.is_valid(number):
            continue
        if uscc.is_valid(number):
            start, end = match.span(1)
            found.append(Entity("uscc", start, end, number, original[start:end], "UsccExtractor"))
    return found


def find_phones(norm: str, original: str) -> list[Entity]:
    found = []
    for match in _MOBILE.finditer(norm):
        start, end = match.span(1)
        value = match.group(2) + match.group(3) + match.group(4)
        found.append(Entity("phone", start, end, value, original[start:end], "PhoneExtractor"))
    return found


_ALNUM = re.compile(r"[0-9a-z]")


class RegexExtractor:
    """Entities from named regexes (the data's ``regex:`` items, the configured case_no).

    Matching is case-insensitive on the normalised text. A match that would cut through a
    run of letters/digits (``xSZ123...`` or ``...1234567``) is rejected.
    """

    def __init__(self, patterns: list[tuple[str, str]]):
        self._patterns = [(name, re.compile(p, re.IGNORECASE)) for name, p in patterns]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self._patterns)

    def find(self, norm: str, original: str) -> list[Entity]:
        found = []
        for name, pattern in self._patterns:
            for match in pattern.finditer(norm):
                start, end = match.span()
                if start == end or cuts_token(norm, start, end):
                    continue
                text = original[start:end]
                value = _compact(norm[start:end]) if name == "case_no" else text.strip()
                found.append(Entity(name, start, end, value, text, "RegexEntityExtractor"))
        return found


def cuts_token(norm: str, start: int, end: int) -> bool:
    before = start > 0 and _ALNUM.match(norm[start - 1]) and _ALNUM.match(norm[start])
    after = end < len(norm) and _ALNUM.match(norm[end]) and _ALNUM.match(norm[end - 1])
    return bool(before or after)
