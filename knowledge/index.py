"""BM25F postings over a catalogue: per-feature, per-service contributions, computed once.

Each service field is analysed into features (``knowledge.analysis``). Fields belong to two
zones with their own document frequencies: ``head`` (name, aliases, FAQ questions, category,
department) and ``body`` (audience, conditions, materials, process, FAQ answers). A word that
is common in materials lists (居民身份证) keeps a high IDF in names and aliases. Within a zone,
fields combine BM25F-style: ``tf~ = sum_f w_f * tf_f / B_f`` with
``B_f = (1 - b_f) + b_f * len_f / avglen_f``; the zone contributes
``zone_weight * idf_zone(t) * tf~ / (K1 + tf~)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

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

Counts = dict[str, dict[str, int]]  # field -> feature -> count


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
    """``postings[feature] -> [(service index, contribution)]`` plus IDF statistics."""

    def __init__(self, services: Sequence[Service], analyzer: Analyzer) -> None:
        self.n = len(services)
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.max_contrib: dict[str, float] = {}
        docs = [self._counts(s, analyzer) for s in services]
        self.zone_df = self._zone_df(docs)
        avg = {
            field: max(1.0, sum(sum(d[field].values()) for d in docs) / max(1, len(docs)))
            for field in FIELDS
        }
        for i, doc in enumerate(docs):
            for feature, value in self._contributions(doc, avg).items():
                self.postings.setdefault(feature, []).append((i, value))
                self.max_contrib[feature] = max(self.max_contrib.get(feature, 0.0), value)

    def idf(self, df: int) -> float:
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def head_idf(self, feature: str) -> float:
        return self.idf(self.zone_df["head"].get(feature, 0))

    @staticmethod
    def _counts(service: Service, analyzer: Analyzer) -> Counts:
        doc: Counts = {}
        for field, texts in service_fields(service).items():
            counts: dict[str, int] = defaultdict(int)
            for text in texts:
                for feature in analyzer.document_features(normalize_loose(text)):
                    counts[feature] += 1
            doc[field] = counts
        return doc

    @staticmethod
    def _zone_df(docs: Sequence[Counts]) -> dict[str, dict[str, int]]:
        zone_df: dict[str, dict[str, int]] = {zone: defaultdict(int) for zone in ZONE_WEIGHTS}
        for doc in docs:
            for zone in ZONE_WEIGHTS:
                fields = [f for f, spec in FIELDS.items() if spec[0] == zone]
                for feature in {t for f in fields for t in doc[f]}:
                    zone_df[zone][feature] += 1
        return {zone: dict(df) for zone, df in zone_df.items()}

    def _contributions(self, doc: Counts, avg: dict[str, float]) -> dict[str, float]:
        pseudo: dict[str, dict[str, float]] = {zone: defaultdict(float) for zone in ZONE_WEIGHTS}
        for field, counts in doc.items():
            zone, weight, b = FIELDS[field]
            norm = (1 - b) + b * sum(counts.values()) / avg[field]
            for feature, count in counts.items():
                pseudo[zone][feature] += weight * count / norm
        contrib: dict[str, float] = defaultdict(float)
        for zone, values in pseudo.items():
            for feature, value in values.items():
                idf = self.idf(self.zone_df[zone][feature])
                contrib[feature] += ZONE_WEIGHTS[zone] * idf * value / (K1 + value)
        return contrib
