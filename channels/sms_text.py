"""Text rules of the SMS channel: opt-out/help keywords and splitting long answers.

Pure functions, no I/O; ``channels/sms.py`` applies them to Twilio webhooks and any later
SMS provider's webhook can reuse them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from enum import StrEnum

from bot.messages import Reply


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"


# Twilio's standard stop words plus the Chinese carriers' customary 退订 / TD / T.
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "退订", "TD", "T"}
)
START_WORDS = frozenset({"START", "YES", "UNSTOP", "订阅"})
HELP_WORDS = frozenset({"HELP", "INFO", "帮助"})
_TRAILING = " \t\r\n.!?~。！？～"

_URL = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+")
_SENTENCE_ENDS = frozenset("\n。！？；!?;…")
_CLAUSE_ENDS = frozenset("，,、：: \t")
PART_MARK_RESERVE = 7
"""Room kept for the part marker ``（1/3）`` (up to ``（10/10）``) on multi-part answers."""


def classify_keyword(body: str) -> Keyword | None:
    """The keyword a whole message is (trimmed, case- and width-insensitive), if any."""
    word = unicodedata.normalize("NFKC", body).strip(_TRAILING).upper()
    if word in STOP_WORDS:
        return Keyword.STOP
    if word in START_WORDS:
        return Keyword.START
    if word in HELP_WORDS:
        return Keyword.HELP
    return None


def canonical_keyword(body: str) -> str:
    """The keyword as recorded in the opt-out reason (``keyword:TD``)."""
    return unicodedata.normalize("NFKC", body).strip(_TRAILING).upper()[:32]


def _after_paragraph(text: str, pos: int) -> bool:
    return text[pos - 2 : pos] == "\n\n"


def _after_sentence(text: str, pos: int) -> bool:
    return text[pos - 1] in _SENTENCE_ENDS


def _after_clause(text: str, pos: int) -> bool:
    return text[pos - 1] in _CLAUSE_ENDS


def _anywhere(text: str, pos: int) -> bool:
    return True


CutRule = Callable[[str, int], bool]


def _last_cut(text: str, limit: int, rule: CutRule, floor: int) -> int | None:
    """The last position in [floor, limit] that ``rule`` accepts and no URL spans."""
    spans = [m.span() for m in _URL.finditer(text)]
    for pos in range(min(limit, len(text)), max(floor, 1) - 1, -1):
        if rule(text, pos) and not any(start < pos < end for start, end in spans):
            return pos
    return None


def _best_cut(text: str, limit: int) -> int:
    """Where to end the next segment: between replies, at a sentence end, at a clause end
    (in that order, if it keeps segments reasonably full); never inside a URL."""
    tiers: tuple[tuple[CutRule, int], ...] = (
        (_after_paragraph, limit // 2),
        (_after_sentence, limit // 3),
        (_after_clause, limit // 3),
        (_after_sentence, 1),
        (_after_clause, 1),
        (_anywhere, 1),
    )
    for rule, floor in tiers:
        cut = _last_cut(text, limit, rule, floor)
        if cut is not None:
            return cut
    # A URL longer than the limit starts the text: keep it whole rather than break it.
    first = _URL.match(text)
    return first.end() if first else limit


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into stripped pieces of at most ``limit`` characters.

    Cuts prefer line and sentence ends, then clause ends (，、：), then any character; a URL
    is never cut (a single URL longer than ``limit`` becomes its own, longer piece).
    """
    rest = text.strip()
    pieces: list[str] = []
    while len(rest) > limit:
        cut = _best_cut(rest, limit)
        head, rest = rest[:cut].strip(), rest[cut:].strip()
        if head:
            pieces.append(head)
    if rest:
        pieces.append(rest)
    return pieces


def render_segments(
    replies: Iterable[Reply], limit: int, max_segments: int, overflow_note: str
) -> list[str]:
    """Replies as plain text in SMS-sized parts, each at most ``limit`` characters.

    Multi-part answers start with ``（i/n）`` so the citizen can read them in order; beyond
    ``max_segments`` parts the answer is cut and ends with ``overflow_note``.
    """
    text = "\n\n".join(t for t in (r.as_plain_text().strip() for r in replies) if t)
    if len(text) <= limit:
        return [text] if text else []
    parts = split_text(text, limit - PART_MARK_RESERVE)
    if len(parts) > max_segments:
        parts = parts[:max_segments]
        room = limit - PART_MARK_RESERVE - len(overflow_note)
        parts[-1] = split_text(parts[-1], max(room, 1))[0] + overflow_note
    total = len(parts)
    if total == 1:
        return parts
    return [f"（{i}/{total}）{part}" for i, part in enumerate(parts, 1)]
