"""Deterministic recognisers that win over the statistical NLU.

Digits pick numbered options, fixed keywords switch modes (转人工, 结束人工, 换个问题, 取消),
button payloads are commands (``/choose{"service_id": "x"}``, Rasa style), and the values a
form waits for (case numbers, ID suffixes, phone numbers, rating scores) have exact formats.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from stdnum.cn import ric

from intents.entities.dates import CHINESE_DIGITS
from intents.normalize import normalize_loose

_PUNCT = re.compile(r"[\s,.!?;:~，。！？；：、…'\"“”‘’（）()【】\[\]<>《》]+")
_CHOICE = re.compile(r"^(?:第|选|选择)?([1-9]|[一二两三四五六七八九])(?:个|项|号|条)?$")
_COMMAND = re.compile(r"^/([A-Za-z_][\w-]*)(\{.*\})?$", re.DOTALL)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6}[ -]?\d{8}[ -]?\d{3}[0-9Xx])(?![0-9A-Za-z])")
_ID_SUFFIX = re.compile(r"(?<![0-9A-Za-z])(\d{5}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_DIGIT_RUN = re.compile(r"\d{4,}")
_ALNUM_RUN = re.compile(r"[A-Za-z]{0,4}\d[\dA-Za-z]{2,}")

# Asking for a human: explicit verbs anywhere; bare nouns only in a short request that is not
# about the humans ("人工客服态度很差我要投诉" is a complaint).
HANDOFF_VERBS = ("转人工", "找人工", "接人工", "要人工", "转接人工", "转真人", "找客服")
HANDOFF_NOUNS = ("人工客服", "人工服务", "真人客服", "人工坐席", "人工")
_NOT_HANDOFF = ("不要转人工", "不用转人工", "不转人工", "投诉", "举报", "态度")
END_HANDOFF_WORDS = ("结束人工", "退出人工", "返回机器人", "返回智能", "结束服务")
RESET_WORDS = ("换个问题", "换一个问题", "重新开始", "问别的", "问其他", "换个话题")
CANCEL_WORDS = ("取消", "算了", "不办了", "不查了", "不用了", "退出", "不要了")
SKIP_WORDS = ("跳过", "不用", "不留", "没有", "无", "不需要", "不方便", "算了", "不了")

RATING_WORDS: tuple[tuple[str, int], ...] = (
    ("非常不满意", 1),
    ("很不满意", 1),
    ("不太满意", 2),
    ("不满意", 2),
    ("基本满意", 3),
    ("一般", 3),
    ("还行", 3),
    ("非常满意", 5),
    ("很满意", 5),
    ("满意", 4),
)
_STARS = re.compile(r"^([1-5]|[一二三四五])\s*(?:分|星|颗星)$")


@dataclass(frozen=True)
class Command:
    """A button payload: ``/name`` or ``/name{json}``."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)

    def arg(self, key: str) -> str | None:
        value = self.args.get(key)
        return None if value is None else str(value)


def command_payload(name: str, **args: Any) -> str:
    if not args:
        return f"/{name}"
    return f"/{name}{json.dumps(args, ensure_ascii=False, separators=(',', ':'))}"


def parse_command(text: str) -> Command | None:
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    args: dict[str, Any] = {}
    if match.group(2):
        try:
            loaded = json.loads(match.group(2))
        except json.JSONDecodeError:
            return None
        if not isinstance(loaded, dict):
            return None
        args = loaded
    return Command(match.group(1), args)


@lru_cache(maxsize=4096)
def compact(text: str) -> str:
    """Normalised text without spaces and punctuation (for keyword and choice matching)."""
    return _PUNCT.sub("", normalize_loose(text))


def choice_index(text: str) -> int | None:
    """``2`` / ``第二个`` / ``选2`` -> 1 (zero-based); None when the text is not a bare choice."""
    match = _CHOICE.match(compact(text))
    if match is None:
        return None
    token = match.group(1)
    number = int(token) if token.isdigit() else CHINESE_DIGITS[token]
    return number - 1


def has_any(text: str, words: tuple[str, ...]) -> bool:
    flat = compact(text)
    return any(word in flat for word in words)


def is_exactly(text: str, words: tuple[str, ...]) -> bool:
    return compact(text) in words


def wants_handoff(text: str) -> bool:
    flat = compact(text)
    if any(word in flat for word in (*_NOT_HANDOFF, *END_HANDOFF_WORDS)):
        return False
    if any(word in flat for word in HANDOFF_VERBS):
        return True
    return len(flat) <= 10 and any(word in flat for word in HANDOFF_NOUNS)


def wants_end_handoff(text: str) -> bool:
    return has_any(text, END_HANDOFF_WORDS)


def wants_reset(text: str) -> bool:
    return has_any(text, RESET_WORDS)


def wants_cancel(text: str) -> bool:
    flat = compact(text)
    return len(flat) <= 6 and any(word in flat for word in CANCEL_WORDS)


def wants_skip(text: str) -> bool:
    flat = compact(text)
    return len(flat) <= 6 and any(word in flat for word in SKIP_WORDS)


def find_case_no(text: str, pattern: str) -> str | None:
    """The first case number matching the configured pattern, upper case."""
    flat = normalize_loose(text).upper().replace(" ", "")
    match = re.search(f"(?<![0-9A-Z])(?:{pattern})(?![0-9A-Z])", flat, re.IGNORECASE)
    return match.group(0).upper() if match else None


def without_case_numbers(text: str, pattern: str) -> str:
    """The text with case numbers blanked out (so their digits are not read as secrets)."""
    flat = normalize_loose(text)
    return re.sub(f"(?<![0-9A-Za-z])(?:{pattern})(?![0-9A-Za-z])", " ", flat, flags=re.IGNORECASE)


def looks_like_code(text: str) -> bool:
    """Something number-like the citizen may have meant as a code (to say the format is off)."""
    flat = normalize_loose(text).replace(" ", "").replace("-", "")
    return bool(_ALNUM_RUN.search(flat))


def find_id_suffix(text: str) -> str | None:
    flat = normalize_loose(text)
    match = _ID_SUFFIX.search(flat)
    return match.group(1).upper() if match else None


def find_id_number(text: str) -> tuple[str | None, bool]:
    """(a valid resident ID number, whether an 18-character one failed the checksum)."""
    flat = normalize_loose(text)
    invalid = False
    for match in _ID_NUMBER.finditer(flat):
        number = re.sub(r"[ -]", "", match.group(1)).upper()
        if ric.is_valid(number):
            return number, False
        invalid = True
    return None, invalid


def find_mobile(text: str) -> str | None:
    match = _MOBILE.search(normalize_loose(text))
    return "".join(match.groups()) if match else None


def has_digit_run(text: str) -> bool:
    return bool(_DIGIT_RUN.search(normalize_loose(text)))


_QUESTION = re.compile(r"[?？]|[吗呢么]$|怎么|哪里|哪儿|多少|什么|如何|能不能|可不可以|几[天点个]")


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION.search(normalize_loose(text)))


def rating_score(text: str) -> int | None:
    """An explicit score (``5分``, ``四星``) or a satisfaction word (非常满意 -> 5)."""
    flat = compact(text)
    stars = _STARS.match(flat)
    if stars:
        token = stars.group(1)
        return int(token) if token.isdigit() else CHINESE_DIGITS[token]
    if len(flat) > 12:
        return None
    for word, score in RATING_WORDS:
        if word in flat:
            return score
    return None
