"""Text normalisation shared by the NLU and the catalogue search.

Traditional -> Simplified (OpenCC t2s), full-width -> half-width (NFKC), lower case,
collapsed whitespace; ``blank_symbols`` (same length) blanks punctuation and emoji for the
classifier. Chinese numerals are read where they carry meaning (dates, see
``intents.entities.dates.chinese_number``), not rewritten here: 一下/一起/统一 are not
numbers. The output keeps a 1:1 character mapping with the input wherever
possible so entity spans found on normalised text point at the citizen's own characters.

``normalize`` and ``normalize_loose`` are pure functions of the text and are called many
times per message (NLU, search, aspect and district detection, dialogue rules) on the same
few strings, so short texts are memoised in bounded LRU caches (OpenCC is the costly part).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_WHITESPACE = re.compile(r"\s+")
# Memoise texts up to this length, this many of each kind: at most a few MB.
CACHE_MAX_CHARS = 256
CACHE_SIZE = 8192


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def to_half_width(text: str) -> str:
    """Full-width ASCII (Ａ１，) to half-width, ideographic space to space; keeps length."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    converted: str = _t2s().convert(text)
    # OpenCC may merge phrases; fall back to per-character conversion to keep offsets.
    if len(converted) != len(text):
        converted = "".join(_t2s().convert(ch) or ch for ch in text)
    return converted


def normalize(text: str) -> str:
    """Same-length normalisation: offsets in the result match offsets in ``text``."""
    if len(text) <= CACHE_MAX_CHARS:
        return _normalize_cached(text)
    return _normalize(text)


def _normalize(text: str) -> str:
    return to_simplified(to_half_width(text)).lower()


_normalize_cached = lru_cache(maxsize=CACHE_SIZE)(_normalize)


_KEEP = frozenset("?%+#")


def blank_symbols(text: str) -> str:
    """Same length: punctuation, emoji and other symbols -> space (``?%+#`` are kept).

    For featurising: "好的！！😊" and "好的" should look alike. Zero-width and format
    characters (ZWJ, variation selectors) become spaces too.
    """
    return "".join(
        " " if ch not in _KEEP and unicodedata.category(ch)[0] in "PSC" and ch != "\n" else ch
        for ch in text
    )


def normalize_loose(text: str) -> str:
    """Normalise and also collapse whitespace and apply NFKC (offsets not preserved)."""
    if len(text) <= CACHE_MAX_CHARS:
        return _normalize_loose_cached(text)
    return _normalize_loose(text)


def _normalize_loose(text: str) -> str:
    text = unicodedata.normalize("NFKC", normalize(text))
    return _WHITESPACE.sub(" ", text).strip()


_normalize_loose_cached = lru_cache(maxsize=CACHE_SIZE)(_normalize_loose)
