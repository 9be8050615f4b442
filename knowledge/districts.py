"""District names: detection in citizens' text and short forms.

A district's short form is its full name minus a trailing administrative suffix
(``特别合作区 合作区 新区 自治县 区 县 市``), kept only when at least two characters remain:
南山区 -> 南山, 大鹏新区 -> 大鹏, 深汕特别合作区 -> 深汕. Full names win over short forms and
the earliest mention wins. A short form is ignored inside a few everyday phrases that merely
contain it (光明正大, 寿比南山 ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from intents.normalize import normalize_loose
from intents.places import SHENZHEN_DISTRICTS
from knowledge.text import WordFinder, normalized

DEFAULT_DISTRICTS = SHENZHEN_DISTRICTS

# Shenzhen's neighbouring districts, used only to order "other offices" (nearest first).
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "福田区": ("南山区", "罗湖区", "龙华区"),
    "罗湖区": ("福田区", "盐田区", "龙岗区", "龙华区"),
    "南山区": ("福田区", "宝安区", "龙华区"),
    "盐田区": ("罗湖区", "龙岗区"),
    "宝安区": ("南山区", "光明区", "龙华区"),
    "龙岗区": ("龙华区", "罗湖区", "盐田区", "坪山区", "大鹏新区"),
    "龙华区": ("福田区", "南山区", "宝安区", "光明区", "龙岗区", "罗湖区"),
    "坪山区": ("龙岗区", "大鹏新区"),
    "光明区": ("宝安区", "龙华区"),
    "大鹏新区": ("龙岗区", "坪山区"),
    "深汕特别合作区": (),
}

_SUFFIXES = ("特别合作区", "合作区", "新区", "自治县", "区", "县", "市")

# Everyday phrases that contain a district's short form without meaning the district.
_FALSE_FRIENDS: tuple[str, ...] = (
    "光明正大",
    "光明磊落",
    "前途光明",
    "光明日报",
    "光明的",
    "一片光明",
    "重见光明",
    "寿比南山",
    "南山南",
    "悠然见南山",
    "龙华寺",
    "福田车站",
)


def short_form(district: str) -> str | None:
    """``南山区`` -> ``南山``; None when nothing of at least two characters would remain."""
    for suffix in _SUFFIXES:
        if district.endswith(suffix) and len(district) - len(suffix) >= 2:
            return district[: -len(suffix)]
    return None


def full_district_name(name: str, districts: Sequence[str]) -> str | None:
    """The configured district whose full name or short form is exactly ``name``."""
    if name in districts:
        return name
    matches = [d for d in districts if short_form(d) == name]
    return matches[0] if len(matches) == 1 else None


def _mask_false_friends(text: str) -> str:
    for phrase in _FALSE_FRIENDS:
        if phrase in text:
            text = text.replace(phrase, "_" * len(phrase))
    return text


def district_forms(districts: Sequence[str]) -> dict[str, str]:
    """Normalised full names and short forms -> their district (the first one listed)."""
    return dict(_forms(tuple(districts))[1])


@lru_cache(maxsize=16)
def _forms(districts: tuple[str, ...]) -> tuple[WordFinder, dict[str, str]]:
    owner: dict[str, str] = {}
    for district in districts:
        full = normalize_loose(district)
        for form in (full, short_form(full)):
            if form:
                owner.setdefault(form, district)
    return WordFinder(owner), owner


def district_mention(text: str, districts: Sequence[str]) -> tuple[str, int] | None:
    """(district, position) of the earliest district mention in normalised ``text``; at one
    position the longest form wins."""
    finder, owner = _forms(tuple(districts))
    for position, form in finder.longest(_mask_false_friends(text)):
        return owner[form], position
    return None


def find_district(text: str, districts: Sequence[str] = DEFAULT_DISTRICTS) -> str | None:
    """The district the citizen mentions (full name or short form), earliest first."""
    mention = district_mention(normalized(text), districts)
    return mention[0] if mention else None
