"""Text -> named features for the intent classifier.

Blocks (each TF-IDF weighted and L2-normalised on its own, then scaled by its block weight):
- ``c``: character n-grams (1..char_max) of the masked text with ``^``/``$`` boundaries, so
  a whole short utterance (``^好的$``) is a feature of its own;
- ``w``: jieba words and word bigrams with boundaries;
- ``k``: domain cues (``intents.cues``), entity-type presence and a length bucket.

Masking: before featurising, every entity span found by the extractors is replaced by one
placeholder character per entity type, so "SZ2024..." / "13812345678" / "南山" become the
same token wherever they occur and the classifier learns "<case_no> 办到哪了" rather than a
particular number. Punctuation and emoji are blanked (``normalize.blank_symbols``), digits
are kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from intents.cues import cue_features
from intents.normalize import blank_symbols
from intents.tokenizer import DomainTokenizer
from intents.types import Entity

_SPACES = re.compile(r"\s+")
_PLACEHOLDER_BASE = 0xE000
_KNOWN = ("id_number", "uscc", "phone", "case_no", "district", "date", "service")


def placeholder(entity: str) -> str:
    """A private-use character standing for ``entity`` (stable for known names)."""
    if entity in _KNOWN:
        return chr(_PLACEHOLDER_BASE + _KNOWN.index(entity))
    return chr(_PLACEHOLDER_BASE + 16 + sum(map(ord, entity)) % 200)


def mask(norm: str, entities: Sequence[Entity]) -> str:
    norm = blank_symbols(norm)
    out = []
    pos = 0
    for ent in sorted(entities, key=lambda e: e.start):
        if ent.start < pos:
            continue
        out.append(norm[pos : ent.start])
        out.append(placeholder(ent.entity))
        pos = ent.end
    out.append(norm[pos:])
    return _SPACES.sub(" ", "".join(out)).strip()


def _length_bucket(text: str) -> str:
    n = len(text.replace(" ", ""))
    return (
        "len:1"
        if n <= 1
        else "len:2"
        if n <= 2
        else "len:4"
        if n <= 4
        else ("len:8" if n <= 8 else "len:16" if n <= 16 else "len:long")
    )


@dataclass(frozen=True)
class FeatureSettings:
    char_min: int = 1
    char_max: int = 3
    word_bigrams: bool = True
    char_weight: float = 1.3
    word_weight: float = 0.8
    cue_weight: float = 0.6


class Featurizer:
    def __init__(self, tokenizer: DomainTokenizer, settings: FeatureSettings = FeatureSettings()):
        self.tokenizer = tokenizer
        self.settings = settings

    def raw(self, masked: str, entities: Sequence[Entity]) -> dict[str, dict[str, float]]:
        """Block -> feature -> count, before weighting."""
        s = self.settings
        chars: dict[str, float] = {}
        compact = masked.replace(" ", "")
        padded = f"^{compact}$"
        for n in range(s.char_min, s.char_max + 1):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                if gram not in ("^", "$"):
                    chars[gram] = chars.get(gram, 0.0) + 1.0
        words: dict[str, float] = {}
        tokens = ["^", *self.tokenizer.words(masked), "$"]
        for tok in tokens[1:-1]:
            words[tok] = words.get(tok, 0.0) + 1.0
        if s.word_bigrams:
            for a, b in pairwise(tokens):
                words[f"{a}|{b}"] = words.get(f"{a}|{b}", 0.0) + 1.0
        keys = cue_features(masked)
        keys[_length_bucket(masked)] = 1.0
        for ent in entities:
            keys[f"ent:{ent.entity}"] = 1.0
        return {"c": chars, "w": words, "k": keys}


class Weighting:
    """Sublinear TF-IDF per block, L2 per block, block weights; fitted on training rows."""

    def __init__(self, rows: Sequence[dict[str, dict[str, float]]], settings: FeatureSettings):
        df: dict[str, int] = {}
        for row in rows:
            for block, feats in row.items():
                for name in feats:
                    key = f"{block}:{name}"
                    df[key] = df.get(key, 0) + 1
        n = len(rows)
        self.idf = {k: math.log((1 + n) / (1 + v)) + 1.0 for k, v in df.items()}
        self.block_weight = {
            "c": settings.char_weight,
            "w": settings.word_weight,
            "k": settings.cue_weight,
        }

    def apply(self, row: dict[str, dict[str, float]]) -> dict[str, float]:
        out: dict[str, float] = {}
        for block, feats in row.items():
            weighted = {}
            for name, tf in feats.items():
                key = f"{block}:{name}"
                idf = self.idf.get(key)
                if idf is not None:
                    weighted[key] = (1.0 + math.log(tf)) * idf
            norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
            scale = self.block_weight[block] / norm
            for key, value in weighted.items():
                out[key] = value * scale
        return out
