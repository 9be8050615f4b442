"""Text -> search features: jieba words (with their dictionary sub-words) and character n-grams.

Features are strings with a kind prefix: ``w:身份证`` (a word), ``c:份证`` (a character bigram or
trigram), ``u:取`` (one character: a query's one-character word such as 取/换/补 then still
meets 提取/换领/补发). Words give precision; n-grams keep typos, unsegmented words and word-boundary
disagreements matchable. Every feature carries the character span it came from so the
query side can down-weight aspect cues, districts and stop words.

Each ``Analyzer`` owns a private ``jieba.Tokenizer`` (never jieba's global one). jieba's base
dictionary is read from disk once per process (a read-only cache) and copied into it; domain
words (service names, aliases, synonym words ...) are added at construction.

jieba segments every block of text between punctuation on its own, so ``tokens`` caches the
words of each block, and ``words`` the sub-words of each long token (``BLOCK_CACHE_SIZE``
each): greetings, stock phrases and service names recur across messages, and a misspelt
question is analysed twice (corrected and as typed) with all but one block in common.
``cache_clear`` empties both.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import jieba

from intents.tokenizer import base_dictionary

logging.getLogger("jieba").setLevel(logging.WARNING)

WORD = "w:"
GRAM = "c:"
CHAR = "u:"
MAX_WORD_LEN = 12  # longer dictionary words are not added to jieba (n-grams cover them)
FINE_WORD_LEN = 4  # the fine tokenizer only knows domain words up to this length

# Function words, pronouns, question particles and generic "do/handle" verbs (normalised).
STOP_WORDS: frozenset[str] = frozenset(
    """
    我 我们 你 你们 您 他 她 它 他们 自己 咱 俺 本人 大家 别人 人家 有人
    想 想要 要 需要 需 得 能 能够 可以 可 会 应该 应当 必须 该 还 还要 还是 也 都 就 又 再 才
    的 了 吗 呢 吧 啊 呀 哦 嗯 哈 喔 嘛 么 啦 咯 哇 噢 哎 诶 呗 罢了 而已 着 过 地
    是 在 有 没 没有 不 和 与 及 或 或者 跟 同 对 从 向 往 给 把 被 让 为 为了 因为 所以 如果 但是
    这 那 这个 那个 这些 那些 哪 哪个 什么 啥 怎么 怎样 如何 咋 多少 几 谁 为什么 怎么样
    一下 一个 个 些 点 一点 下 上 里 中 去 来 到 用 拿 带 做 弄 搞 办 办理 办个 办下 申请 问 问下
    请 请问 麻烦 你好 您好 谢谢 知道 告诉 想问 咨询 了解 一下子 现在 今天 马上 刚刚 已经 然后 之后
    咩 嘅 喺 系 佢 唔 冇 啲 噉 咗 嘢 乜 点 边 咁 嗰 哋 嚟 畀 同埋 而家
    """.split()
)

_STOP_FEATURES = frozenset(WORD + w for w in STOP_WORDS)
_RUN_SPLIT = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_BLOCKS = jieba.re_han_default  # how jieba splits text into independently segmented blocks
BLOCK_CACHE_SIZE = 4096

Feature = tuple[str, int, int]  # (feature, start, end)
Token = tuple[str, int, int]  # (word, start, end)


def char_ngrams(run: str, offset: int = 0, sizes: tuple[int, ...] = (2, 3)) -> Iterator[Feature]:
    """Character n-grams of one run of text, with spans shifted by ``offset``."""
    for n in sizes:
        for i in range(len(run) - n + 1):
            yield GRAM + run[i : i + n], offset + i, offset + i + n


class _Overlay:
    """Words added on top of the shared base dictionary, read the way jieba reads ``FREQ``
    (``in``, ``[]``, ``get``, ``[]=``): no copy of the half-million base entries, at the
    price of slower lookups (for the fine tokenizer, used on long words only)."""

    def __init__(self, base: dict[str, int]) -> None:
        self._base = base
        self._own: dict[str, int] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._own or word in self._base

    def __getitem__(self, word: str) -> int:
        own = self._own.get(word)
        return self._base[word] if own is None else own

    def __setitem__(self, word: str, freq: int) -> None:
        self._own[word] = freq

    def get(self, word: str, default: int | None = None) -> int | None:
        own = self._own.get(word)
        return self._base.get(word, default) if own is None else own


def _tokenizer(words: Iterable[str], copy: bool = True) -> jieba.Tokenizer:
    """A private jieba tokenizer: the base dictionary (a copy, or shared under an overlay)
    plus ``words``."""
    freq, total = base_dictionary()  # shared with the NLU: one 60 MB copy per process
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(freq) if copy else _Overlay(freq)
    tokenizer.total = total
    tokenizer.initialized = True
    for word in words:
        tokenizer.add_word(word, freq=max(1000, tokenizer.suggest_freq(word)))
    return tokenizer


class Analyzer:
    """Segments normalised text into features; the dictionary is fixed after construction."""

    def __init__(self, domain_words: Iterable[str] = ()) -> None:
        words = sorted({w.strip() for w in domain_words if w and w.strip() and " " not in w})
        self._jieba = _tokenizer(w for w in words if 2 <= len(w) <= MAX_WORD_LEN)
        # Long domain words (service names) are single tokens; the fine tokenizer, which
        # lacks them, re-segments their inside so that words the base dictionary lacks
        # (差评 in 政务服务差评整改反馈) still become features.
        self._fine = _tokenizer((w for w in words if 2 <= len(w) <= FINE_WORD_LEN), copy=False)
        self._block = lru_cache(maxsize=BLOCK_CACHE_SIZE)(self._segment)
        self._parts = lru_cache(maxsize=BLOCK_CACHE_SIZE)(self._word_parts)

    def _segment(self, block: str) -> tuple[str, ...]:
        return tuple(self._jieba.cut(block, HMM=True))

    def cache_clear(self) -> None:
        """Forget the cached segmentations."""
        self._block.cache_clear()
        self._parts.cache_clear()

    def tokens(self, text: str) -> list[Token]:
        """(word, start, end) of normalised ``text``; whitespace and punctuation dropped.
        The same as ``jieba.Tokenizer.tokenize(text)``, block by block."""
        out: list[Token] = []
        start = 0
        for block in _BLOCKS.split(text):
            for word in self._block(block) if block else ():
                end = start + len(word)
                if not _RUN_SPLIT.fullmatch(word):
                    out.append((word, start, end))
                start = end
        return out

    def words(self, text: str, tokens: Sequence[Token] | None = None) -> list[Feature]:
        """Word features: each token, every dictionary sub-word of length >= 2 and, for long
        tokens, the fine tokenizer's words (``tokens``: ``self.tokens(text)`` if known)."""
        out: list[Feature] = []
        for word, start, end in self.tokens(text) if tokens is None else tokens:
            out.append((WORD + word, start, end))
            if len(word) > 2:
                out += [(f, start + i, start + j) for f, i, j in self._parts(word)]
        return out

    def _word_parts(self, word: str) -> tuple[Feature, ...]:
        """The sub-word features of a token longer than two characters, spans relative."""
        freq = self._jieba.FREQ
        n = len(word)
        found = {word}
        out: list[Feature] = []
        for i in range(n):
            for j in range(i + 2, min(n, i + MAX_WORD_LEN) + 1):
                if j - i < n and freq.get(word[i:j]):
                    found.add(word[i:j])
                    out.append((WORD + word[i:j], i, j))
        if n > FINE_WORD_LEN:
            for sub, s, e in self._fine.tokenize(word, HMM=True):
                if len(sub) >= 2 and sub not in found:
                    found.add(sub)
                    out.append((WORD + sub, s, e))
        return tuple(out)

    def document_features(self, text: str) -> list[str]:
        """All features of catalogue text (no stop-word filtering beyond IDF)."""
        feats = [f for f, _, _ in self.words(text) if f[len(WORD) :] not in STOP_WORDS]
        for match in re.finditer(r"[0-9a-z\u3400-\u9fff]+", text):
            feats.extend(f for f, _, _ in char_ngrams(match.group(), match.start()))
            feats.extend(CHAR + ch for ch in match.group() if ch not in STOP_WORDS)
        return feats

    def query_features(self, text: str, tokens: Sequence[Token] | None = None) -> list[Feature]:
        """Query features: words minus stop words, and n-grams inside runs of content words."""
        tokens = self.tokens(text) if tokens is None else tokens
        feats = [f for f in self.words(text, tokens) if f[0] not in _STOP_FEATURES]
        feats += [(CHAR + w, s, e) for w, s, e in tokens if len(w) == 1 and w not in STOP_WORDS]
        for start, end in _content_runs(tokens):
            feats.extend(char_ngrams(text[start:end], start))
        return feats


def _content_runs(tokens: Iterable[Token]) -> Iterator[tuple[int, int]]:
    """Spans of consecutive non-stop tokens (punctuation, dropped earlier, breaks a run)."""
    run: tuple[int, int] | None = None
    for word, start, end in tokens:
        if word in STOP_WORDS:
            if run:
                yield run
            run = None
        elif run and start == run[1]:
            run = (run[0], end)
        else:
            if run:
                yield run
            run = (start, end)
    if run:
        yield run
