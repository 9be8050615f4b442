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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from intents.normalize import normalize_loose
from knowledge.analysis import CHAR, GRAM, STOP_WORDS, WORD, Analyzer, Token
from knowledge.aspects import cue_spans
from knowledge.districts import short_form
from knowledge.index import Postings
from knowledge.schema import Catalogue, Service
from knowledge.synonyms import EXPANSION_WEIGHT, SynonymTable

WORD_WEIGHT = 1.0
GRAM_WEIGHT = 0.5
CHAR_WEIGHT = 0.8  # one-character words (as characters)
SHORT_WORD_WEIGHT = 0.3  # one-character words (as words)
BACKOFF_WEIGHT = 0.4  # characters of a word the catalogue never uses
ORIGINAL_WEIGHT = 0.3  # features of a misspelt question that its correction lacks
CUE_FACTOR = 0.15  # features inside an aspect cue
DISTRICT_FACTOR = 0.3  # features inside a district name
LIFECYCLE_EVENTS = ("补领", "换领", "变更", "注销", "延期")  # synonym groups (formal member)
LIFECYCLE_PENALTY = 0.85  # named after an event the question does not mention
LIFECYCLE_BOOST = 1.15  # named after an event the question mentions
TRIGGER_WEIGHT = 0.7  # a group opened by a one-character verb (补, 换, 取 ...)
FUZZY_BONUS = 1.0  # times the Dice coefficient of question and name characters (if >= 0.5)
UNSEEN_POTENTIAL = 0.5  # a question feature absent from the catalogue: share of the max idf
DEFAULT_MIN_CONFIDENCE = 0.15


@dataclass(frozen=True)
class SearchHit:
    service: Service
    score: float
    confidence: float = 1.0


Weighted = tuple[str, int, int, float, bool]  # feature, start, end, weight, back-off
Found = tuple[tuple[str, ...], list[tuple[int, int]], bool]  # group, spans, opened by a char


@dataclass(frozen=True)
class Query:
    """Weighted features: independent ``terms`` (summed) and synonym ``groups``: per group,
    alternative wordings (feature -> weight) of which only the best-matching one counts;
    ``events``: the lifecycle groups the question mentions."""

    terms: dict[str, float]
    groups: tuple[tuple[dict[str, float], ...], ...]
    events: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()  # back-off/misspelt features: no evidence of relevance
    weak_groups: frozenset[int] = frozenset()  # groups opened by a one-character verb


def _max_weights(features: Iterable[Weighted]) -> dict[str, float]:
    out: dict[str, float] = {}
    for feature, _, _, weight, _ in features:
        out[feature] = max(out.get(feature, 0.0), weight)
    return out


def _feature_weight(feature: str) -> float:
    if feature.startswith(GRAM):
        return GRAM_WEIGHT
    if feature.startswith(CHAR):
        return CHAR_WEIGHT
    return WORD_WEIGHT if len(feature) > len(WORD) + 1 else SHORT_WORD_WEIGHT


def _mask(length: int, spans: Iterable[tuple[int, int]]) -> list[bool]:
    """Per character: inside one of ``spans``?"""
    mask = [False] * length
    for start, end in spans:
        mask[start:end] = [True] * (end - start)
    return mask


class SearchIndex:
    """An immutable index over one catalogue; ``search`` takes well under a millisecond."""

    def __init__(
        self,
        catalogue: Catalogue,
        synonyms: SynonymTable | None = None,
        districts: Sequence[str] = (),
        extra_words: Iterable[str] = (),
    ) -> None:
        self.catalogue = catalogue
        self.synonyms = synonyms or SynonymTable.build()
        self._district_forms = _district_forms(districts)
        self.analyzer = Analyzer([*self.vocabulary_words(), *extra_words])
        self._index = Postings(catalogue.services, self.analyzer)
        self._lifecycle = {g[0]: g for g in self.synonyms.groups if g[0] in LIFECYCLE_EVENTS}
        self._events = [self._name_events(s) for s in catalogue.services]
        self._members: dict[str, dict[str, float]] = {}
        for group in self.synonyms.groups:  # analyse every member now, not on first use
            for member in group:
                self._member(member)
        cue_spans("")  # compile the aspect patterns now
        self._name_grams = [
            [_bigrams(normalize_loose(t)) for t in (s.name, *s.aliases)] for s in catalogue.services
        ]

    def vocabulary_words(self) -> list[str]:
        """Words added to the tokenizer: names, aliases, departments, categories, synonyms."""
        words: set[str] = set(self.synonyms.words())
        for s in self.catalogue.services:
            words.update(normalize_loose(w) for w in (s.name, *s.aliases, s.department, s.category))
        return sorted(w for w in words if w)

    # ----------------------------------------------------------------- near-duplicates

    def _name_events(self, service: Service) -> frozenset[str]:
        name = normalize_loose(service.name)
        return frozenset(k for k, g in self._lifecycle.items() if any(m in name for m in g))

    # ----------------------------------------------------------------- querying

    def _weighted(self, text: str, tokens: Sequence[Token], factor: float = 1.0) -> list[Weighted]:
        """Features of ``text`` with spans and weights (cue/district/back-off applied)."""
        cues = _mask(len(text), cue_spans(text))
        places = _mask(
            len(text), [(m, m + len(f)) for f in self._district_forms for m in _find_all(text, f)]
        )
        out: list[Weighted] = []
        for feature, start, end in self.analyzer.query_features(text, tokens):
            weight = _feature_weight(feature) * factor
            if any(cues[start:end]):
                weight *= CUE_FACTOR
            if any(places[start:end]):
                weight *= DISTRICT_FACTOR
            out.append((feature, start, end, weight, False))
            if feature.startswith(WORD) and feature not in self._index.postings:
                out += [
                    (CHAR + ch, start + i, start + i + 1, weight * BACKOFF_WEIGHT, True)
                    for i, ch in enumerate(feature[len(WORD) :])
                    if ch not in STOP_WORDS
                ]
        return out

    def query(self, text: str) -> Query:
        """The weighted features of a question."""
        norm = normalize_loose(text)
        corrected = self.synonyms.correct(norm)
        tokens = self.analyzer.tokens(corrected)
        feats = self._weighted(corrected, tokens)
        groups: list[tuple[dict[str, float], ...]] = []
        weak_groups: set[int] = set()
        found = self._groups_found(corrected, tokens)
        for group, spans, trigger in found:
            inside = _mask(len(corrected), spans)
            own = [f for f in feats if all(inside[f[1] : f[2]])]
            if own:
                taken = set(own)
                feats = [f for f in feats if f not in taken]
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
    ) -> tuple[dict[str, float], ...]:
        """One synonym group: the citizen's own wording, then every other member analysed the
        same way. When the citizen's word occurs in the catalogue, the others weigh
        ``EXPANSION_WEIGHT`` and none may score more than the group's median member; when it
        does not, a synonym is the only way to match and keeps full weight
        (``TRIGGER_WEIGHT`` for a group opened by a one-character verb)."""
        words = [w for f, w in own.items() if f.startswith(WORD) and len(f) > len(WORD) + 1]
        known = any(f in self._index.postings for f in own if len(f) > len(WORD) + 1)
        if trigger:
            factor = TRIGGER_WEIGHT
        else:
            factor = max(words, default=WORD_WEIGHT) / WORD_WEIGHT  # cue/district factors
            factor *= EXPANSION_WEIGHT if known else 1.0
        others = [self._member(m) for m in group if m not in text]
        potentials = [self._full_potential(alt) for alt in others]
        pool = [self._full_potential(own), *potentials]
        ceiling = statistics.median(pool) if known else max(pool)
        alternatives = [own]
        for alt, potential in zip(others, potentials, strict=True):
            scale = factor * min(1.0, ceiling / max(potential, 1e-9))
            alternatives.append({f: w * scale for f, w in alt.items()})
        return tuple(alternatives)

    def _full_potential(self, features: dict[str, float]) -> float:
        """The most these features could score, unseen ones counted as one rare word."""
        unseen = self._index.idf(0) * UNSEEN_POTENTIAL
        maxc = self._index.max_contrib
        return sum(w * maxc.get(f, unseen) for f, w in features.items())

    def _member(self, member: str) -> dict[str, float]:
        cached = self._members.get(member)
        if cached is None:
            feats = self.analyzer.query_features(member)
            cached = _max_weights([(f, s, e, _feature_weight(f), False) for f, s, e in feats])
            self._members[member] = cached
        return cached

    def _potential(self, query: Query) -> float:
        """The most a service could score on the question's evidence (never below one
        unseen word, so a question of cue words only cannot look confident)."""
        unseen = self._index.idf(0) * UNSEEN_POTENTIAL
        maxc = self._index.max_contrib
        total = sum(w * maxc.get(f, unseen) for f, w in query.terms.items() if f not in query.weak)
        for i, group in enumerate(query.groups):
            if i not in query.weak_groups:
                total += max(sum(w * maxc.get(f, 0.0) for f, w in alt.items()) for alt in group)
        return max(total, unseen)

    def _scores(self, query: Query) -> tuple[dict[int, float], dict[int, float]]:
        """(score, evidence) per service; evidence leaves out back-off characters, misspelt
        originals and groups opened by one-character verbs."""
        scores: dict[int, float] = defaultdict(float)
        evidence: dict[int, float] = defaultdict(float)
        postings = self._index.postings
        for feature, weight in query.terms.items():
            target = (scores,) if feature in query.weak else (scores, evidence)
            for doc, contrib in postings.get(feature, ()):
                for table in target:
                    table[doc] += weight * contrib
        for i, group in enumerate(query.groups):
            target = (scores,) if i in query.weak_groups else (scores, evidence)
            for doc, value in _best_alternative(group, postings).items():
                for table in target:
                    table[doc] += value
        return scores, evidence

    def search(
        self, text: str, k: int = 5, min_confidence: float = DEFAULT_MIN_CONFIDENCE
    ) -> list[SearchHit]:
        """The ``k`` best services, best first; ``[]`` when none reaches ``min_confidence``."""
        query = self.query(text)
        scores, evidence = self._scores(query)
        potential = self._potential(query)
        confidence = {d: min(1.0, evidence.get(d, 0.0) / potential) for d in scores}
        hits = [
            SearchHit(
                self.catalogue.services[d], round(self._adjusted(d, s, query), 4), round(c, 4)
            )
            for d, s in scores.items()
            if (c := confidence[d]) >= min_confidence
        ]
        hits.sort(key=lambda h: (-h.score, h.service.id))
        return hits[:k]

    def _adjusted(self, doc: int, score: float, query: Query) -> float:
        """The score after the lifecycle boost/penalty and the fuzzy-name bonus."""
        if self._events[doc]:
            score *= LIFECYCLE_BOOST if self._events[doc] & query.events else LIFECYCLE_PENALTY
        grams = {
            f[len(GRAM) :]
            for f, w in query.terms.items()
            if f.startswith(GRAM) and len(f) == len(GRAM) + 2 and w >= GRAM_WEIGHT * 0.5
        }
        dice = max((_dice(grams, g) for g in self._name_grams[doc]), default=0.0)
        return score + (FUZZY_BONUS * dice if dice >= 0.5 else 0.0)


def _best_alternative(
    group: Sequence[dict[str, float]], postings: dict[str, list[tuple[int, float]]]
) -> dict[int, float]:
    """Per service, the score of the group's best-matching alternative."""
    best: dict[int, float] = {}
    for alternative in group:
        sums: dict[int, float] = defaultdict(float)
        for feature, weight in alternative.items():
            for doc, contrib in postings.get(feature, ()):
                sums[doc] += weight * contrib
        for doc, value in sums.items():
            best[doc] = max(best.get(doc, 0.0), value)
    return best


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _find_all(text: str, sub: str) -> Iterable[int]:
    start = text.find(sub)
    while start >= 0:
        yield start
        start = text.find(sub, start + 1)


def _district_forms(districts: Sequence[str]) -> list[str]:
    forms: set[str] = set()
    for district in districts:
        forms.add(normalize_loose(district))
        short = short_form(normalize_loose(district))
        if short:
            forms.add(short)
    return sorted(forms, key=len, reverse=True)
