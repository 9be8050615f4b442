"""Vectorised scoring of an analysed question over the flat postings (``knowledge.index``).

A question (``knowledge.search.Query``) is compiled once into a ``Plan``: feature rows and
weights. Scoring gathers the postings of the sparse rows and sums them per service with
``numpy.bincount``, and adds the dense rows (common features) with one vector-matrix product
per segment; no Python loop runs over postings or services:

- ``terms`` add up; back-off characters and misspelt originals (``weak``) add to the score
  but not to the evidence behind ``confidence``;
- per synonym group only the best-matching wording counts, per service: the citizen's own
  wording is summed like the terms; every other member of a group is a fixed feature set,
  so its per-service sums are precomputed (``MemberVectors``) and only scaled per question;
  a group opened by a one-character verb is weak;
- a service named after a lifecycle event (补领/换领/变更 ...) is boosted when the question
  mentions the event and penalised when it mentions none;
- a question whose character bigrams cover a service name or alias (Dice >= 0.5) earns a
  bonus: the names' bigrams are indexed too, so the Dice coefficients of all names come from
  one more ``bincount``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.index import DENSE_SHARE, Postings, weighted_bincount

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

LIFECYCLE_PENALTY = 0.85  # named after an event the question does not mention
LIFECYCLE_BOOST = 1.15  # named after an event the question mentions
FUZZY_BONUS = 1.0  # times the Dice coefficient of question and name bigrams (if >= 0.5)
FUZZY_MIN_DICE = 0.5


@dataclass(frozen=True)
class Segments:
    """Weighted features in ``count`` segments, split by how the index stores them: sparse
    rows (``rows``/``weights``, ``segment`` of each) and, per segment, its dense rows."""

    count: int
    rows: Ints
    weights: Floats
    segment: Ints
    dense: tuple[tuple[int, Ints, npt.NDArray[np.float32]], ...]


@dataclass(frozen=True)
class Plan:
    """A question compiled against one index (features the index lacks are left out).

    ``features`` segments: the terms that are evidence of relevance, the weak ones, then
    each group's own wording."""

    features: Segments
    members: Ints  # the other members of every group (sparse ``MemberVectors`` rows)
    scales: Floats  # their weights' factors
    member_group: Ints  # the group of each
    dense_members: tuple[tuple[int, int, float], ...]  # (group, dense row, scale)
    strong_groups: npt.NDArray[np.bool_]  # per group: evidence of relevance?
    events: frozenset[str]
    grams: Ints  # name-bigram rows of the question's bigrams
    gram_count: int  # distinct bigrams of the question (known to the names or not)
    potential: float


@dataclass(frozen=True)
class Ranked:
    doc: int
    score: float
    confidence: float


class MemberVectors:
    """Per synonym-group member (a row): the sum of its feature weights times their
    contributions, per service, precomputed once. Stored like the postings: sparse (services
    ascending, ``docs[indptr[r]:indptr[r + 1]]``) or, for a member that a large share of the
    services match, as a row of ``dense`` (``dense_rows[r]``, else -1)."""

    def __init__(self, postings: Postings, members: Sequence[Mapping[str, float]]) -> None:
        docs: list[npt.NDArray[Any]] = []
        values: list[npt.NDArray[np.float32]] = []
        dense: list[npt.NDArray[np.float32]] = []
        self.dense_rows: list[int] = []
        for features in members:
            sums = _sums(postings, segments(postings, [features]))[0].astype(np.float32)
            where = np.flatnonzero(sums)
            common = len(where) >= DENSE_SHARE * postings.n
            self.dense_rows.append(len(dense) if common else -1)
            if common:
                dense.append(sums)
                where = where[:0]
            docs.append(where.astype(postings.docs.dtype))
            values.append(sums[where])
        self.indptr = np.zeros(len(members) + 1, dtype=np.int64)
        np.cumsum([len(d) for d in docs], out=self.indptr[1:])
        self.docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        self.values = np.concatenate(values) if values else np.zeros(0, dtype=np.float32)
        self.dense = np.array(dense, dtype=np.float32).reshape(len(dense), postings.n)


class NameGrams:
    """Character bigrams of every service's names (normalised name and aliases), stored
    bigram-major: ``names[indptr[r]:indptr[r + 1]]`` are the names containing bigram ``r``."""

    def __init__(self, services: Iterable[Sequence[str]]) -> None:
        self.n = 0
        self.grams: dict[str, int] = {}
        pairs = array("i")  # (bigram, name) pairs, flat
        sizes = array("i")  # distinct bigrams per name
        owner = array("i")  # the service of each name
        for service, names in enumerate(services):
            self.n = service + 1
            for name in names:
                grams = dict.fromkeys(name[i : i + 2] for i in range(len(name) - 1))
                for gram in grams:
                    pairs.extend((self.grams.setdefault(gram, len(self.grams)), len(sizes)))
                sizes.append(len(grams))
                owner.append(service)
        flat = np.frombuffer(pairs, dtype=np.int32).reshape(-1, 2)
        order = np.argsort(flat[:, 0], kind="stable")
        self.names = flat[order, 1].copy()
        self.indptr = np.zeros(len(self.grams) + 1, dtype=np.int64)
        np.cumsum(np.bincount(flat[:, 0], minlength=len(self.grams)), out=self.indptr[1:])
        self.sizes = np.frombuffer(sizes, dtype=np.int32).astype(np.int64)
        self.owner = np.frombuffer(owner, dtype=np.int32).astype(np.int64)

    def rows(self, grams: Iterable[str]) -> Ints:
        return np.array([self.grams[g] for g in grams if g in self.grams], dtype=np.int64)

    def dice(self, rows: Ints, count: int) -> Floats:
        """Per service: the best Dice coefficient of ``count`` question bigrams (``rows``
        the known ones) and the bigrams of one of its names (0 when none is shared)."""
        best = np.zeros(self.n)
        at, _ = _positions(self.indptr, rows)
        if count and len(at):
            shared = np.bincount(self.names[at], minlength=len(self.sizes))
            names = np.flatnonzero(shared)
            np.maximum.at(best, self.owner[names], 2 * shared[names] / (count + self.sizes[names]))
        return best


class Ranker:
    """Scores plans over one index; ``ids`` (the services' ids) break ties, ``named`` flags
    the services named after each lifecycle event. See the module docstring."""

    def __init__(
        self,
        postings: Postings,
        ids: Sequence[str],
        named: Mapping[str, Sequence[bool]],
        names: NameGrams,
        members: MemberVectors,
    ) -> None:
        self.postings = postings
        self.ids = list(ids)
        self.names = names
        self.members = members
        self.named = {event: np.array(flags, dtype=np.bool_) for event, flags in named.items()}
        has_event = np.zeros(postings.n, dtype=np.bool_)
        for flags in self.named.values():
            has_event |= flags
        self.no_event_factor = np.where(has_event, LIFECYCLE_PENALTY, 1.0)

    def scores(self, plan: Plan) -> tuple[Floats, Floats]:
        """(score, evidence) per service, before boosts."""
        n = self.postings.n
        sums = _sums(self.postings, plan.features)
        first = 2  # the groups' own wordings start here
        if len(plan.members):  # per group and service: the best of all its wordings
            at, lengths = _positions(self.members.indptr, plan.members)
            values = self.members.values[at] * np.repeat(plan.scales, lengths)
            keys = self.members.docs[at] + np.repeat((plan.member_group + first) * n, lengths)
            np.maximum.at(sums.reshape(-1), keys, values)
        for group, row, scale in plan.dense_members:
            target = sums[first + group]
            np.maximum(target, self.members.dense[row] * np.float32(scale), out=target)
        best = sums[first:]
        groups: Floats = best.sum(axis=0)
        strong = plan.strong_groups
        evidence: Floats = sums[0] + (groups if strong.all() else strong.astype(np.float64) @ best)
        scores: Floats = sums[0] + sums[1] + groups
        return scores, evidence

    def adjusted(self, plan: Plan, docs: Ints, scores: Floats) -> Floats:
        """The ``scores`` of ``docs`` after the lifecycle boost/penalty and the fuzzy-name
        bonus."""
        factor = self.no_event_factor[docs]
        if plan.events:
            matched = np.zeros(len(docs), dtype=np.bool_)
            for event in plan.events & self.named.keys():
                matched |= self.named[event][docs]
            factor = np.where(matched, LIFECYCLE_BOOST, factor)
        dice = self.names.dice(plan.grams, plan.gram_count)[docs]
        bonus = np.where(dice >= FUZZY_MIN_DICE, FUZZY_BONUS * dice, 0.0)
        return scores * factor + bonus

    def rank(self, plan: Plan, k: int, min_confidence: float) -> list[Ranked]:
        """The ``k`` best services with a confidence of at least ``min_confidence``, best
        first: score and confidence rounded to 4 places, ties by service id."""
        scores, evidence = self.scores(plan)
        confidence = np.minimum(1.0, evidence / plan.potential)
        keep = np.flatnonzero((scores > 0) & (confidence >= min_confidence))
        if not len(keep) or k <= 0:
            return []
        final = self.adjusted(plan, keep, scores[keep])
        if len(keep) > k:  # only what can still reach the top k after rounding
            kth = np.partition(final, len(final) - k)[len(final) - k]
            chosen = final >= kth - 1e-3
            keep, final = keep[chosen], final[chosen]
        conf = confidence[keep].tolist()
        hits = [
            Ranked(d, round(s, 4), round(c, 4))
            for d, s, c in zip(keep.tolist(), final.tolist(), conf, strict=True)
        ]
        hits.sort(key=lambda h: (-h.score, self.ids[h.doc]))
        return hits[:k]


def segments(postings: Postings, parts: Sequence[Mapping[str, float]]) -> Segments:
    """The features of each part (a segment) that the index knows, with their weights
    (unknown features have no postings), split into sparse and dense rows."""
    known, dense_rows = postings.features, postings.dense_rows
    rows: list[int] = []
    weights: list[float] = []
    segment: list[int] = []
    dense: dict[int, tuple[list[int], list[float]]] = {}
    for index, features in enumerate(parts):
        for feature, weight in features.items():
            row = known.get(feature)
            if row is None:
                continue
            if (dense_row := dense_rows[row]) >= 0:
                these = dense.setdefault(index, ([], []))
                these[0].append(dense_row)
                these[1].append(weight)
            else:
                rows.append(row)
                weights.append(weight)
                segment.append(index)
    return Segments(
        len(parts),
        np.array(rows, dtype=np.int64),
        np.array(weights, dtype=np.float64),
        np.array(segment, dtype=np.int64),
        tuple(
            (index, np.array(r, dtype=np.int64), np.array(w, dtype=np.float32))
            for index, (r, w) in dense.items()
        ),
    )


def _sums(postings: Postings, features: Segments) -> Floats:
    """``out[s, doc]``: the sum of weight x contribution over the features of segment ``s``,
    sparse rows through their postings, dense rows as whole rows."""
    n, count = postings.n, features.count
    at, lengths = _positions(postings.indptr, features.rows)
    values = postings.contrib[at] * np.repeat(features.weights, lengths)
    keys = postings.docs[at].astype(np.int64)
    if count > 1:
        keys += np.repeat(features.segment * n, lengths)
    sums = weighted_bincount(keys, values, count * n).reshape(count, n)
    for index, rows, weights in features.dense:
        sums[index] += weights @ postings.dense[rows]
    return sums


def _positions(indptr: Ints, rows: Ints) -> tuple[Ints, Ints]:
    """Positions of the postings of ``rows``, concatenated, and the length of each row."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) + np.repeat(starts - offsets, lengths), lengths
