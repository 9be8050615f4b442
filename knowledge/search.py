"""Rank catalogue services for a citizen's question (BM25F over words and character n-grams).

Method:
- ``knowledge.index`` holds BM25F contributions per feature and service (name and aliases
  weigh most, FAQ questions next, category/department/conditions/materials/process less);
- the question is normalised (``normalize_loose``), known misspellings are corrected
  (港奥 -> 港澳), and it is analysed like the catalogue minus stop words; features inside
  aspect cues (多少钱, 材料, 在哪 ...) or district names keep only a small weight so they cannot
  decide which service is meant; a word the catalogue never uses backs off to its characters;
- synonym groups (``knowledge.synonyms``) add the other wordings of an everyday word: every
  member is analysed like the citizen's own words, and per group only the best-matching
  wording counts, so a group of fifteen ways to say 丢了 is still one word; when the citizen's
  word occurs in the catalogue, other members weigh less (``EXPANSION_WEIGHT``) and a long
  member is scaled down to the group's median size (有效期满 must not outweigh 过期); when it
  does not occur, the synonyms are the only way to match and keep their full weight;
- near-duplicate services (same subject, different event: 首次/换发/补发 ...) are separated by
  the event words themselves (their synonym groups: 丢了 -> 补领/补发/遗失, 过期 -> 换领/换发,
  头一回 -> 首次; a lone 补/换/取 counts too) and by a lifecycle rule: a service whose *name*
  carries a lifecycle event (补领/换领/变更/注销/延期) is boosted when the question mentions
  that event and slightly penalised when it mentions none -- without an event word the plain
  (first-time) service is meant;
- a small fuzzy bonus rewards a question whose characters cover a service name.

``confidence`` is the share of the question's informative weight a hit explains (0..1,
before boosts); hits below ``min_confidence`` are dropped, so an off-topic question gives [].
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

import numpy as np

from intents.normalize import normalize_loose
from knowledge.analysis import CHAR, GRAM, STOP_WORDS, WORD, Analyzer, Token
from knowledge.aspects import cue_spans
from knowledge.districts import district_forms
from knowledge.index import Postings
from knowledge.ranking import MemberVectors, NameGrams, Plan, Ranker, segments
from knowledge.schema import Catalogue, Service
from knowledge.synonyms import EXPANSION_WEIGHT, SynonymTable
from knowledge.text import WordFinder, normalized

WORD_WEIGHT = 1.0
GRAM_WEIGHT = 0.5
CHAR_WEIGHT = 0.8  # one-character words (as characters)
SHORT_WORD_WEIGHT = 0.3  # one-character words (as words)
BACKOFF_WEIGHT = 0.4  # characters of a word the catalogue never uses
ORIGINAL_WEIGHT = 0.3  # features of a misspelt question that its correction lacks
CUE_FACTOR = 0.15  # features inside an aspect cue
DISTRICT_FACTOR = 0.3  # features inside a district name
LIFECYCLE_EVENTS = ("补领", "换领", "变更", "注销", "延期")  # synonym groups (formal member)
TRIGGER_WEIGHT = 0.7  # a group opened by a one-character verb (补, 换, 取 ...)
UNSEEN_POTENTIAL = 0.5  # a question feature absent from the catalogue: share of the max idf
DEFAULT_MIN_CONFIDENCE = 0.15
QUERY_CACHE_SIZE = 1024  # analysed questions kept per index (a few kB each)


@dataclass(frozen=True)
class SearchHit:
    service: Service
    score: float
    confidence: float = 1.0


Weighted = tuple[str, int, int, float, bool]  # feature, start, end, weight, back-off
Found = tuple[tuple[str, ...], list[tuple[int, int]], bool]  # group, spans, opened by a char


@dataclass(frozen=True)
class Group:
    """A synonym group in a question: alternative wordings of which only the best-matching
    one counts; the citizen's ``own`` (feature -> weight), then ``others``: (member, scale),
    the member's features (``SearchIndex.member``) with their weights times ``scale``."""

    own: dict[str, float]
    others: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Query:
    """Weighted features: independent ``terms`` (summed) and synonym ``groups``;
    ``events``: the lifecycle groups the question mentions."""

    terms: dict[str, float]
    groups: tuple[Group, ...]
    events: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()  # back-off/misspelt features: no evidence of relevance
    weak_groups: frozenset[int] = frozenset()  # groups opened by a one-character verb


def _max_weights(features: Iterable[Weighted]) -> dict[str, float]:
    out: dict[str, float] = {}
    for feature, _, _, weight, _ in features:
        current = out.get(feature)
        if current is None or weight > current:
            out[feature] = weight
    return out


_KIND_WEIGHTS = {GRAM: GRAM_WEIGHT, CHAR: CHAR_WEIGHT}


def _feature_weight(feature: str) -> float:
    kind = _KIND_WEIGHTS.get(feature[:2])  # the prefixes are two characters long
    if kind is not None:
        return kind
    return WORD_WEIGHT if len(feature) > len(WORD) + 1 else SHORT_WORD_WEIGHT


def _covered(length: int, spans: Iterable[tuple[int, int]]) -> list[int]:
    """Prefix counts of the characters inside ``spans``: ``[start, end)`` overlaps one of
    them when ``out[end] > out[start]``."""
    mask = _mask(length, spans)
    return [0, *accumulate(mask)]


def _claim(
    feats: list[Weighted], spans: Sequence[Sequence[tuple[int, int]]], length: int
) -> tuple[list[list[Weighted]], list[Weighted]]:
    """Per span list in turn (a synonym group's occurrences), the features lying wholly
    inside it and not claimed by an earlier one; then the features nobody claimed."""
    by_start: dict[int, list[int]] = {}
    for i, feature in enumerate(feats):
        by_start.setdefault(feature[1], []).append(i)
    free = [True] * len(feats)
    owned: list[list[Weighted]] = []
    for group_spans in spans:
        inside = _mask(length, group_spans)
        starts = {p for start, end in group_spans for p in range(start, end)}
        mine = sorted(
            i
            for p in starts
            for i in by_start.get(p, ())
            if free[i] and all(inside[feats[i][1] : feats[i][2]])
        )
        for i in mine:
            free[i] = False
        owned.append([feats[i] for i in mine])
    return owned, [f for i, f in enumerate(feats) if free[i]]


def _mask(length: int, spans: Iterable[tuple[int, int]]) -> list[bool]:
    """Per character: inside one of ``spans``?"""
    mask = [False] * length
    for start, end in spans:
        mask[start:end] = [True] * (end - start)
    return mask


class SearchIndex:
    """An immutable index over one catalogue. Analysed questions are cached per text
    (``QUERY_CACHE_SIZE``, ``cache_clear``); scoring is vectorised (``knowledge.ranking``)."""

    def __init__(
        self,
        catalogue: Catalogue,
        synonyms: SynonymTable | None = None,
        districts: Sequence[str] = (),
        extra_words: Iterable[str] = (),
    ) -> None:
        self.catalogue = catalogue
        self.synonyms = synonyms or SynonymTable.build()
        self._districts = WordFinder(district_forms(districts))
        norm = cache(normalize_loose)  # names are normalised for several purposes
        self._vocabulary = _vocabulary(catalogue.services, self.synonyms, norm)
        self.analyzer = Analyzer([*self._vocabulary, *extra_words])
        self._index = Postings(catalogue.services, self.analyzer, norm)
        self._lifecycle = {g[0]: g for g in self.synonyms.groups if g[0] in LIFECYCLE_EVENTS}
        self._members: dict[str, dict[str, float]] = {}  # analysed once, here
        self._member_potentials: dict[str, float] = {}  # unseen features count
        self._member_maxima: dict[str, float] = {}  # unseen features do not count
        for group in self.synonyms.groups:
            for member in group:
                self.member(member)
        self._member_rows = {member: row for row, member in enumerate(self._members)}
        cue_spans("")  # compile the aspect patterns now
        self._ranker = self._build_ranker(norm)
        self._plan = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._compile)

    def vocabulary_words(self) -> list[str]:
        """Words added to the tokenizer: names, aliases, departments, categories, synonyms."""
        return list(self._vocabulary)

    def cache_clear(self) -> None:
        """Forget the analysed questions (and the analyser's cached segmentations)."""
        self._plan.cache_clear()
        self.analyzer.cache_clear()

    def _build_ranker(self, norm: Callable[[str], str]) -> Ranker:
        services = self.catalogue.services
        names = ([norm(t) for t in (s.name, *s.aliases)] for s in services)
        named = {
            event: [any(m in norm(s.name) for m in group) for s in services]
            for event, group in self._lifecycle.items()
        }
        members = MemberVectors(self._index, list(self._members.values()))
        ids = [s.id for s in services]
        return Ranker(self._index, ids, named, NameGrams(names), members)

    # ----------------------------------------------------------------- querying

    def _weighted(self, text: str, tokens: Sequence[Token], factor: float = 1.0) -> list[Weighted]:
        """Features of ``text`` with spans and weights (cue/district/back-off applied)."""
        cues = _covered(len(text), cue_spans(text))
        places = _covered(len(text), [(p, p + len(f)) for p, f in self._districts.longest(text)])
        out: list[Weighted] = []
        known = self._index.features
        for feature, start, end in self.analyzer.query_features(text, tokens):
            weight = _feature_weight(feature) * factor
            if cues[end] > cues[start]:
                weight *= CUE_FACTOR
            if places[end] > places[start]:
                weight *= DISTRICT_FACTOR
            out.append((feature, start, end, weight, False))
            if feature.startswith(WORD) and feature not in known:
                out += [
                    (CHAR + ch, start + i, start + i + 1, weight * BACKOFF_WEIGHT, True)
                    for i, ch in enumerate(feature[len(WORD) :])
                    if ch not in STOP_WORDS
                ]
        return out

    def query(self, text: str) -> Query:
        """The weighted features of a question."""
        norm = normalized(text)
        corrected = self.synonyms.correct(norm)
        tokens = self.analyzer.tokens(corrected)
        feats = self._weighted(corrected, tokens)
        groups: list[Group] = []
        weak_groups: set[int] = set()
        found = self._groups_found(corrected, tokens)
        owned, feats = _claim(feats, [spans for _, spans, _ in found], len(corrected))
        for (group, _, trigger), own in zip(found, owned, strict=True):
            if own:
                if trigger:
                    weak_groups.add(len(groups))
                groups.append(self._alternatives(group, _max_weights(own), corrected, trigger))
        terms = _max_weights(feats)
        weak = {f[0] for f in feats if f[4]} - {f[0] for f in feats if not f[4]}
        if corrected != norm:
            original = self._weighted(norm, self.analyzer.tokens(norm), ORIGINAL_WEIGHT)
            for feature, weight in _max_weights(original).items():
                if feature not in terms:
                    terms[feature] = weight
                    weak.add(feature)
        events = frozenset(g[0] for g, _, _ in found if g[0] in self._lifecycle)
        return Query(terms, tuple(groups), events, frozenset(weak), frozenset(weak_groups))

    def _groups_found(self, text: str, tokens: Sequence[Token]) -> list[Found]:
        """Synonym groups in ``text`` with the spans of their members (longest first), then
        groups opened by a one-character verb token (flagged True)."""
        found: list[Found] = []
        for group in self.synonyms.groups_in(text):
            spans = [(p, p + len(m)) for m in group for p in _find_all(text, m)]
            found.append((group, spans, False))
        found.sort(key=lambda g: -max((e - s for s, e in g[1]), default=0))
        seen = {g[0] for g, _, _ in found}
        for word, start, end in tokens:
            opened = self.synonyms.group_of_char(word) if len(word) == 1 else None
            if opened and opened[0] not in seen:
                seen.add(opened[0])
                found.append((opened, [(start, end)], True))
        return found

    def _alternatives(
        self, group: Sequence[str], own: dict[str, float], text: str, trigger: bool = False
    ) -> Group:
        """One synonym group: the citizen's own wording, then every other member analysed the
        same way. When the citizen's word occurs in the catalogue, the others weigh
        ``EXPANSION_WEIGHT`` and none may score more than the group's median member; when it
        does not, a synonym is the only way to match and keeps full weight
        (``TRIGGER_WEIGHT`` for a group opened by a one-character verb)."""
        words = [w for f, w in own.items() if f.startswith(WORD) and len(f) > len(WORD) + 1]
        known = any(f in self._index.features for f in own if len(f) > len(WORD) + 1)
        if trigger:
            factor = TRIGGER_WEIGHT
        else:
            factor = max(words, default=WORD_WEIGHT) / WORD_WEIGHT  # cue/district factors
            factor *= EXPANSION_WEIGHT if known else 1.0
        members = [m for m in group if m not in text]
        potentials = [self._member_potentials[m] for m in members]
        pool = [self._full_potential(own), *potentials]
        ceiling = statistics.median(pool) if known else max(pool)
        scales = [factor * min(1.0, ceiling / max(p, 1e-9)) for p in potentials]
        return Group(own, tuple(zip(members, scales, strict=True)))

    def _max_contrib(self, feature: str, default: float) -> float:
        row = self._index.features.get(feature)
        return default if row is None else self._index.max_contrib[row]

    def _full_potential(self, features: dict[str, float]) -> float:
        """The most these features could score, unseen ones counted as one rare word."""
        unseen = self._index.idf(0) * UNSEEN_POTENTIAL
        return sum(w * self._max_contrib(f, unseen) for f, w in features.items())

    def member(self, member: str) -> dict[str, float]:
        """The weighted features of a synonym group member (every member of the table's
        groups is analysed when the index is built)."""
        cached = self._members.get(member)
        if cached is None:
            feats = self.analyzer.query_features(member)
            cached = _max_weights([(f, s, e, _feature_weight(f), False) for f, s, e in feats])
            self._members[member] = cached
            self._member_potentials[member] = self._full_potential(cached)
            maxima = sum(w * self._max_contrib(f, 0.0) for f, w in cached.items())
            self._member_maxima[member] = maxima
        return cached

    def _potential(self, query: Query) -> float:
        """The most a service could score on the question's evidence (never below one
        unseen word, so a question of cue words only cannot look confident)."""
        unseen = self._index.idf(0) * UNSEEN_POTENTIAL
        maxc = self._max_contrib
        total = sum(w * maxc(f, unseen) for f, w in query.terms.items() if f not in query.weak)
        for i, group in enumerate(query.groups):
            if i not in query.weak_groups:
                own = sum(w * maxc(f, 0.0) for f, w in group.own.items())
                maxima = self._member_maxima
                total += max([own, *(scale * maxima[m] for m, scale in group.others)])
        return max(total, unseen)

    # ----------------------------------------------------------------- scoring

    def _compile(self, text: str) -> Plan:
        """The question ``text`` analysed (``query``) and compiled for the ranker."""
        query = self.query(text)
        strong = {f: w for f, w in query.terms.items() if f not in query.weak}
        weak = {f: w for f, w in query.terms.items() if f in query.weak}
        parts = [strong, weak, *(g.own for g in query.groups)]
        features = segments(self._index, parts)
        grams = {
            f[len(GRAM) :]
            for f, w in query.terms.items()
            if f.startswith(GRAM) and len(f) == len(GRAM) + 2 and w >= GRAM_WEIGHT * 0.5
        }
        dense_rows = self._ranker.members.dense_rows
        others: list[tuple[int, float, int]] = []  # sparse (row, scale, group)
        dense: list[tuple[int, int, float]] = []  # (group, dense row, scale)
        for i, group in enumerate(query.groups):
            for member, scale in group.others:
                row = self._member_rows[member]
                if dense_rows[row] >= 0:
                    dense.append((i, dense_rows[row], scale))
                else:
                    others.append((row, scale, i))
        return Plan(
            features,
            np.array([row for row, _, _ in others], dtype=np.int64),
            np.array([scale for _, scale, _ in others], dtype=np.float64),
            np.array([group for _, _, group in others], dtype=np.int64),
            tuple(dense),
            np.array([i not in query.weak_groups for i in range(len(query.groups))], dtype=bool),
            query.events,
            self._ranker.names.rows(grams),
            len(grams),
            self._potential(query),
        )

    def search(
        self, text: str, k: int = 5, min_confidence: float = DEFAULT_MIN_CONFIDENCE
    ) -> list[SearchHit]:
        """The ``k`` best services, best first; ``[]`` when none reaches ``min_confidence``."""
        services = self.catalogue.services
        return [
            SearchHit(services[hit.doc], hit.score, hit.confidence)
            for hit in self._ranker.rank(self._plan(text), k, min_confidence)
        ]


def _vocabulary(
    services: Sequence[Service], synonyms: SynonymTable, norm: Callable[[str], str]
) -> tuple[str, ...]:
    words: set[str] = set(synonyms.words())
    for s in services:
        words.update(norm(w) for w in (s.name, *s.aliases, s.department, s.category))
    return tuple(sorted(w for w in words if w))


def _find_all(text: str, sub: str) -> Iterable[int]:
    start = text.find(sub)
    while start >= 0:
        yield start
        start = text.find(sub, start + 1)
