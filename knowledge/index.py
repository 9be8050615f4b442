"""BM25F postings over a catalogue: per-feature, per-service contributions, computed once.

Each service field is analysed into features (``knowledge.analysis``). Fields belong to two
zones with their own document frequencies: ``head`` (name, aliases, FAQ questions, category,
department) and ``body`` (audience, conditions, materials, process, FAQ answers). A word that
is common in materials lists (居民身份证) keeps a high IDF in names and aliases. Within a zone,
fields combine BM25F-style: ``tf~ = sum_f w_f * tf_f / B_f`` with
``B_f = (1 - b_f) + b_f * len_f / avglen_f``; the zone contributes
``zone_weight * idf_zone(t) * tf~ / (K1 + tf~)``.

Storage is feature-major and flat (numpy; ~50 MB for 10,000 services), written
straight into its final arrays (see ``_Builder``):

- a feature used by fewer than ``DENSE_SHARE`` of the services is a row of a CSR matrix:
  postings ``docs[indptr[r]:indptr[r + 1]]`` (ascending service indices, ``uint16`` when
  they fit) with ``contrib`` alongside (``float32``: 7 significant digits, more than the 4
  decimals a hit reports), so a question gathers its features' postings in a few
  vectorised steps and sums them with ``numpy.bincount``;
- a common feature (居民身份证, 深圳, 申请 ... in most materials lists) is a row of the dense
  matrix ``dense`` (``dense_row[r]``, else -1): scoring it is one multiply-add over all
  services instead of thousands of scattered postings, and it takes little more memory
  than its postings would.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from intents.normalize import normalize_loose
from knowledge.analysis import Analyzer
from knowledge.schema import Service

K1 = 1.2
# field -> (zone, weight, length-normalisation b)
FIELDS: dict[str, tuple[str, float, float]] = {
    "name": ("head", 5.0, 0.3),
    "aliases": ("head", 4.0, 0.5),
    "faq": ("head", 1.5, 0.75),
    "category": ("head", 1.2, 0.3),
    "department": ("head", 0.6, 0.3),
    "audience": ("body", 0.3, 0.5),
    "conditions": ("body", 0.6, 0.75),
    "materials": ("body", 0.4, 0.75),
    "process": ("body", 0.4, 0.75),
    "answers": ("body", 0.2, 0.75),
}
ZONE_WEIGHTS: dict[str, float] = {"head": 1.0, "body": 0.5}

_ZONES = list(ZONE_WEIGHTS)
_FIELD_ZONE = np.array([_ZONES.index(spec[0]) for spec in FIELDS.values()], dtype=np.int64)
_FIELD_WEIGHT = np.array([spec[1] for spec in FIELDS.values()])
_ZONE_WEIGHT = np.array(list(ZONE_WEIGHTS.values()))

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Docs = npt.NDArray[np.integer[Any]]  # service indices (uint16 when they fit)
Contrib = npt.NDArray[np.float32]

DENSE_SHARE = 0.2  # a feature used by at least this share of the services is stored densely


def service_fields(service: Service) -> dict[str, list[str]]:
    """The texts of each indexed field of a service."""
    return {
        "name": [service.name],
        "aliases": list(service.aliases),
        "faq": [f.q for f in service.faq],
        "category": [service.category],
        "department": [service.department],
        "audience": list(service.audience),
        "conditions": list(service.conditions),
        "materials": list(service.materials),
        "process": list(service.process),
        "answers": [f.a for f in service.faq],
    }


class Postings:
    """Flat feature-major postings plus IDF statistics (see the module docstring).
    ``normalise``: the text normalisation (``normalize_loose``; a caller that normalises the
    same names for other purposes may pass a memoised one)."""

    def __init__(
        self,
        services: Sequence[Service],
        analyzer: Analyzer,
        normalise: Callable[[str], str] = normalize_loose,
    ) -> None:
        self.n = len(services)
        builder = _Builder(services, analyzer, normalise)
        self.features = builder.features
        self.dense_row = builder.dense_rows(DENSE_SHARE * self.n)
        self.indptr, self.docs, self.contrib, self.dense = builder.postings(
            self.idf, self.dense_row
        )
        self.max_contrib: list[float] = self._maxima().tolist()
        self.dense_rows: list[int] = self.dense_row.tolist()  # for lookups one at a time

    def _maxima(self) -> Floats:
        """Per feature, its highest contribution."""
        maxima = np.zeros(len(self.features))
        starts = self.indptr[:-1]
        sparse = np.flatnonzero(self.indptr[1:] > starts)
        if len(sparse):  # empty (dense) rows between two sparse ones end where the next starts
            maxima[sparse] = np.maximum.reduceat(self.contrib, starts[sparse])
        dense = np.flatnonzero(self.dense_row >= 0)
        if len(dense):
            maxima[dense] = self.dense.max(axis=1)[self.dense_row[dense]]
        return maxima

    def idf(self, df: int) -> float:
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def __contains__(self, feature: str) -> bool:
        return feature in self.features


# One service: per distinct (field, feature), sorted by field: field codes, feature ids,
# counts; and the length (feature occurrences) of each field.
DocCounts = tuple[Ints, Ints, Ints, Ints]


class _Builder:
    """Three passes over the services: every distinct text is analysed (once: 居民户口簿原件
    recurs in many services), then document frequencies and field lengths are counted, then
    the contributions are written straight into the final arrays; nothing per service is
    kept in between."""

    def __init__(
        self, services: Sequence[Service], analyzer: Analyzer, normalise: Callable[[str], str]
    ) -> None:
        self.services = services
        self.features: dict[str, int] = {}
        self._texts: dict[str, Ints] = {}  # text -> its features' ids, in order
        for service in services:
            for texts in service_fields(service).values():
                for text in texts:
                    if text not in self._texts:
                        self._texts[text] = self._analyse(
                            analyzer.document_features(normalise(text))
                        )
        size = len(self.features)
        self._zone_df = np.zeros((len(_ZONES), size), dtype=np.int64)
        self._df = np.zeros(size, dtype=np.int64)  # services using the feature in any field
        self._totals = np.zeros(len(FIELDS), dtype=np.int64)
        for service in services:
            codes, ids, _, lengths = self._counts(service)
            self._totals += lengths
            self._df[np.unique(ids)] += 1
            for zone in range(len(_ZONES)):
                self._zone_df[zone, np.unique(ids[_FIELD_ZONE[codes] == zone])] += 1

    def _analyse(self, features: list[str]) -> Ints:
        known = self.features
        return np.array([known.setdefault(f, len(known)) for f in features], dtype=np.int32)

    def _counts(self, service: Service) -> DocCounts:
        texts = list(service_fields(service).values())
        arrays = [self._texts[t] for field in texts for t in field]
        sizes = [len(a) for a in arrays]
        field_of = np.repeat(np.arange(len(texts)), [len(field) for field in texts])
        occurrence_codes = np.repeat(field_of, sizes)
        occurrences = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
        size = max(1, len(self.features))
        keys, counts = np.unique(occurrence_codes * size + occurrences, return_counts=True)
        codes, ids = np.divmod(keys, size)
        return codes, ids, counts, np.bincount(occurrence_codes, minlength=len(FIELDS))

    def dense_rows(self, min_df: float) -> Ints:
        """Per feature: its row in the dense matrix when at least ``min_df`` services use it,
        else -1."""
        rows = np.full(len(self.features), -1, dtype=np.int64)
        common = np.flatnonzero(self._df >= min_df)
        rows[common] = np.arange(len(common))
        return rows

    def postings(
        self, idf: Callable[[int], float], dense_row: Ints
    ) -> tuple[Ints, Docs, Contrib, Contrib]:
        """(indptr, docs, contrib) of the sparse features, services ascending within a
        feature, and the dense matrix of the others (``dense_row``)."""
        n = len(self.services)
        avg = [max(1.0, int(total) / max(1, n)) for total in self._totals]
        zone_idf: Floats = np.array([idf(df) for df in range(n + 1)])[self._zone_df]
        indptr, docs, contrib, dense = self._allocate(dense_row, n)
        cursor = indptr[:-1].copy()
        for doc, service in enumerate(self.services):
            ids, values = _contributions(self._counts(service), avg, zone_idf)
            rows = dense_row[ids]
            common = rows >= 0
            dense[rows[common], doc] = values[common]
            ids, values = ids[~common], values[~common]
            at = cursor[ids]
            docs[at] = doc
            contrib[at] = values
            cursor[ids] += 1
        self._texts.clear()
        return indptr, docs, contrib, dense

    def _allocate(self, dense_row: Ints, n: int) -> tuple[Ints, Docs, Contrib, Contrib]:
        """Empty (indptr, docs, contrib) for the sparse features and the dense matrix."""
        df = np.where(dense_row >= 0, 0, self._df)
        indptr = np.zeros(len(df) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        docs: Docs = np.empty(int(indptr[-1]), dtype=np.uint16 if n <= 1 << 16 else np.int32)
        contrib: Contrib = np.empty(int(indptr[-1]), dtype=np.float32)
        dense: Contrib = np.zeros((int(dense_row.max(initial=-1)) + 1, n), dtype=np.float32)
        return indptr, docs, contrib, dense


def _contributions(doc: DocCounts, avg: list[float], zone_idf: Floats) -> tuple[Ints, Floats]:
    """(feature ids ascending, contributions) of one service; ``zone_idf[zone, feature]``."""
    codes, ids, counts, lengths = doc
    norms = np.array(
        [
            (1 - spec[2]) + spec[2] * int(length) / a
            for spec, length, a in zip(FIELDS.values(), lengths, avg, strict=True)
        ]
    )
    values = _FIELD_WEIGHT[codes] * counts / norms[codes]
    size = zone_idf.shape[1]
    keys, where = np.unique(_FIELD_ZONE[codes] * size + ids, return_inverse=True)
    pseudo = weighted_bincount(where, values, len(keys))  # per (zone, feature)
    zones, feats = np.divmod(keys, size)
    parts = _ZONE_WEIGHT[zones] * zone_idf[zones, feats] * pseudo / (K1 + pseudo)
    unique, where = np.unique(feats, return_inverse=True)
    return unique, weighted_bincount(where, parts, len(unique))


def weighted_bincount(
    keys: npt.NDArray[np.integer[Any]], weights: npt.NDArray[np.floating[Any]], size: int
) -> Floats:
    """``out[key] += weight`` for every pair (``numpy.bincount``, float even when empty)."""
    if not len(keys):
        return np.zeros(size)
    return np.bincount(keys, weights=weights, minlength=size).astype(np.float64, copy=False)
