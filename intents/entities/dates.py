"""Chinese dates -> ISO ``YYYY-MM-DD``, relative to an injectable reference date.

Understood (on normalised text, so Traditional and full-width forms work too):
- relative days: 今天/今日, 明天/明日/明儿, 后天, 大后天, 昨天, 前天;
- weekdays: 周一..周日, 星期一..星期天, 礼拜三, with 这/本 (this Monday-based week),
  下/下个 (next week), 下下 (the week after), 上 (last week); a bare weekday means the next
  such day (today included);
- month-day: 5月1日, 5月1号, 五月一号, 十二月三日, 12.3, 12/3; with a year: 2026年12月3日,
  二〇二六年十二月三日, 2026-12-03, 2026/12/3; with 今年/明年/去年; 下个月5号, 本月20日;
- holidays: 元旦, 劳动节/五一, 国庆/国庆节 (fixed), and 春节/除夕/元宵/清明/端午/中秋 from
  a table for 2024-2035 (approximate: the festival day itself, not the official leave
  period). A holiday means its next occurrence (today included).

- periods, valued as their first day (or, for a weekend, its Saturday): 周末/这周末/下周末,
  上周/下个礼拜/本星期, 上个月/下个月/本月, 今年/明年/去年.

A month-day without a year takes the year that puts it nearest to the reference date (so in
late November "1月5日" is next January and "11月20日" is last week). Impossible dates (2月30日,
13月1日) are not entities; they are reported back so the dialogue can ask again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

CHINESE_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"
_YEAR = r"(?:\d{4}|[零〇一二三四五六七八九]{4})"
_WEEKDAY = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}
_RELATIVE_DAYS = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "后天": 2,
    "大后天": 3,
}
_FIXED_HOLIDAYS = {
    "元旦": (1, 1),
    "劳动节": (5, 1),
    "五一": (5, 1),
    "国庆节": (10, 1),
    "国庆": (10, 1),
}
# Lunar festivals (Gregorian dates of the festival day), 2024-2035.
_LUNAR: dict[str, dict[int, tuple[int, int]]] = {
    "春节": {
        2024: (2, 10),
        2025: (1, 29),
        2026: (2, 17),
        2027: (2, 6),
        2028: (1, 26),
        2029: (2, 13),
        2030: (2, 3),
        2031: (1, 23),
        2032: (2, 11),
        2033: (1, 31),
        2034: (2, 19),
        2035: (2, 8),
    },
    "元宵": {
        2024: (2, 24),
        2025: (2, 12),
        2026: (3, 3),
        2027: (2, 20),
        2028: (2, 9),
        2029: (2, 27),
        2030: (2, 17),
        2031: (2, 6),
        2032: (2, 25),
        2033: (2, 14),
        2034: (3, 5),
        2035: (2, 22),
    },
    "清明": {
        2024: (4, 4),
        2025: (4, 4),
        2026: (4, 5),
        2027: (4, 5),
        2028: (4, 4),
        2029: (4, 4),
        2030: (4, 5),
        2031: (4, 5),
        2032: (4, 4),
        2033: (4, 4),
        2034: (4, 5),
        2035: (4, 5),
    },
    "端午": {
        2024: (6, 10),
        2025: (5, 31),
        2026: (6, 19),
        2027: (6, 9),
        2028: (5, 28),
        2029: (6, 16),
        2030: (6, 5),
        2031: (6, 24),
        2032: (6, 12),
        2033: (6, 1),
        2034: (6, 20),
        2035: (6, 10),
    },
    "中秋": {
        2024: (9, 17),
        2025: (10, 6),
        2026: (9, 25),
        2027: (9, 15),
        2028: (10, 3),
        2029: (9, 22),
        2030: (9, 12),
        2031: (10, 1),
        2032: (9, 19),
        2033: (9, 8),
        2034: (9, 27),
        2035: (9, 16),
    },
}
_LUNAR_ALIASES = {
    "春节": "春节",
    "过年": "春节",
    "大年初一": "春节",
    "元宵节": "元宵",
    "元宵": "元宵",
    "清明节": "清明",
    "清明": "清明",
    "端午节": "端午",
    "端午": "端午",
    "中秋节": "中秋",
    "中秋": "中秋",
}


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: date | None  # None: looked like a date but is impossible
    reason: str = ""


def chinese_number(text: str) -> int:
    """'12' / '十二' / '二十三' / '两' / '二〇二六' -> int."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(CHINESE_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[ones] if ones else 0)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_year(today: date, month: int, day: int) -> date | None:
    candidates = [
        d
        for y in (today.year - 1, today.year, today.year + 1)
        if (d := _make(y, month, day)) is not None
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _next_on_or_after(
    today: date, month_day: Callable[[int], tuple[int, int] | None]
) -> date | None:
    for year in (today.year, today.year + 1):
        md = month_day(year)
        if md is not None and (d := _make(year, *md)) is not None and d >= today:
            return d
    return None


_Resolver = Callable[[re.Match[str], date], "date | str | None"]


def _full(m: re.Match[str], today: date) -> date | str:
    y, mo, d = (chinese_number(m.group(k)) for k in ("y", "m", "d"))
    return _make(y, mo, d) or f"no such date {y}-{mo}-{d}"


def _year_rel(m: re.Match[str], today: date) -> date | str:
    year = today.year + {"今年": 0, "明年": 1, "去年": -1, "后年": 2}[m.group("rel")]
    mo, d = chinese_number(m.group("m")), chinese_number(m.group("d"))
    return _make(year, mo, d) or f"no such date {year}-{mo}-{d}"


def _month_day(m: re.Match[str], today: date) -> date | str:
    mo, d = chinese_number(m.group("m")), chinese_number(m.group("d").rstrip("日号 "))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return f"no such date {mo}月{d}日"
    return _nearest_year(today, mo, d) or f"no such date {mo}月{d}日"


def _dotted(m: re.Match[str], today: date) -> date | None:
    mo, d = int(m.group("m")), int(m.group("d"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None  # probably not a date at all (13.5, 2.50)
    return _nearest_year(today, mo, d)


def _month_rel(m: re.Match[str], today: date) -> date | str:
    shift = 1 if m.group("rel").startswith("下") else 0
    month0 = today.month - 1 + shift
    year, month = today.year + month0 // 12, month0 % 12 + 1
    d = chinese_number(m.group("d"))
    return _make(year, month, d) or f"no such date {year}-{month}-{d}"


def _relative_day(m: re.Match[str], today: date) -> date:
    return today + timedelta(days=_RELATIVE_DAYS[m.group(0)])


def _weekday(m: re.Match[str], today: date) -> date:
    target = _WEEKDAY[m.group("wd")]
    prefix = (m.group("rel") or "").rstrip("个")
    monday = today - timedelta(days=today.weekday())
    weeks = {"下下": 2, "下": 1, "这": 0, "本": 0, "上": -1}.get(prefix)
    if weeks is None:  # bare weekday: the next one, today included
        return today + timedelta(days=(target - today.weekday()) % 7)
    return monday + timedelta(days=7 * weeks + target)


def _holiday(m: re.Match[str], today: date) -> date | None:
    name = m.group(0)
    if name in _FIXED_HOLIDAYS:
        fixed = _FIXED_HOLIDAYS[name]
        return _next_on_or_after(today, lambda _y: fixed)
    table = _LUNAR[_LUNAR_ALIASES[name]]
    return _next_on_or_after(today, table.get)


def _period(m: re.Match[str], today: date) -> date:
    rel = (m.group("rel") or "这").rstrip("个")
    unit = {"星期": "周", "礼拜": "周"}.get(m.group("unit"), m.group("unit"))
    shift = {"下下": 2, "下": 1, "这": 0, "本": 0, "今": 0, "上": -1, "去": -1, "明": 1}[rel]
    if unit == "年":
        return date(today.year + shift, 1, 1)
    if unit == "月":
        month0 = today.month - 1 + shift
        return date(today.year + month0 // 12, month0 % 12 + 1, 1)
    monday = today - timedelta(days=today.weekday())
    start = monday + timedelta(days=7 * shift)
    return start + timedelta(days=5) if unit == "周末" else start


_HOLIDAY_NAMES = sorted([*_FIXED_HOLIDAYS, *_LUNAR_ALIASES], key=len, reverse=True)
_RULES: list[tuple[re.Pattern[str], _Resolver]] = [
    (
        re.compile(rf"(?<!\d)(?P<y>{_YEAR})\s?年\s?(?P<m>{_NUM})\s?月\s?(?P<d>{_NUM})\s?[日号]?"),
        _full,
    ),
    (re.compile(r"(?<![\d.])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d.])"), _full),
    (
        re.compile(rf"(?P<rel>今年|明年|去年|后年)\s?(?P<m>{_NUM})\s?月\s?(?P<d>{_NUM})\s?[日号]?"),
        _year_rel,
    ),
    (
        re.compile(
            rf"(?<![\d年])(?P<m>{_NUM})\s?月\s?(?P<d>\d{{1,2}}(?!\d)\s?[日号]?|[一二三四五六七八九十]{{1,3}}\s?[日号])"
        ),
        _month_day,
    ),
    (
        re.compile(
            r"(?<![\d.¥$])(?P<m>\d{1,2})[./](?P<d>\d{1,2})(?![\d.%])(?!\s?[元块个万千百倍米斤])[日号]?"
        ),
        _dotted,
    ),
    (re.compile(rf"(?P<rel>下个?月|这个?月|本月)\s?(?P<d>{_NUM})\s?[日号]"), _month_rel),
    (re.compile("|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True))), _relative_day),
    (
        re.compile(
            r"(?P<rel>下下个?|下个?|这个?|本|上个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
        ),
        _weekday,
    ),
    (re.compile("|".join(_HOLIDAY_NAMES)), _holiday),
    (re.compile(r"(?P<rel>下下个?|下个?|这个?|本|上个?)?(?P<unit>周末)"), _period),
    (re.compile(r"(?P<rel>下下个?|下个?|这个?|本|上个?)(?P<unit>周|星期|礼拜|月)"), _period),
    (re.compile(r"(?P<rel>今|明|去)(?P<unit>年)"), _period),
]


def find_dates(norm: str, today: date) -> list[DateMatch]:
    """Non-overlapping date mentions (leftmost, then longest) in normalised text."""
    candidates: list[DateMatch] = []
    for pattern, resolve in _RULES:
        for m in pattern.finditer(norm):
            result = resolve(m, today)
            if result is None:
                continue
            if isinstance(result, str):
                candidates.append(DateMatch(m.start(), m.end(), None, result))
            else:
                candidates.append(DateMatch(m.start(), m.end(), result))
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[DateMatch] = []
    for cand in candidates:
        if not chosen or cand.start >= chosen[-1].end:
            chosen.append(cand)
    return chosen
