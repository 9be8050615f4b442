"""``NluEngine``: entities + intent for one text, in-process, in well under a millisecond.

``parse_sync`` does: normalise (same length) -> entity extraction on the normalised text ->
mask the entity spans -> features -> calibrated intent ranking -> fallback decision. When the
top confidence is below ``fallback_threshold`` the intent becomes ``nlu_fallback`` (Rasa's
name) with that confidence; the ranking keeps the real candidates so the dialogue can ask
"did you mean A or B?". Entities whose value failed validation (an ID number with a bad
checksum, 2月30日) are not entities; they are listed in ``Parse.extras["suspects"]``.

``parse`` (what the hub calls) memoises results per (text, today) in a bounded
``ParseCache``; ``parse_sync`` always computes (evaluation and benchmarks use it).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from intents.cache import ParseCache
from intents.classifier import ClassifierSettings, IntentClassifier
from intents.entities.pipeline import (
    VALIDATED_ENTITIES,
    EntityPipeline,
    EntitySettings,
    Extraction,
)
from intents.features import FeatureSettings, Featurizer, Weighting, mask
from intents.loader import TrainingData
from intents.normalize import normalize
from intents.tokenizer import GOVERNMENT_VOCABULARY, DomainTokenizer
from intents.types import ASPECT_BY_INTENT, Entity, IntentScore, Parse

FALLBACK_INTENT = "nlu_fallback"
_TRAIN_DAY = date(2026, 1, 5)  # any fixed Monday: training must not depend on the clock


@dataclass(frozen=True)
class NluSettings:
    fallback_threshold: float = 0.35
    # "annotated": only entity types the training data annotates or declares (regex/lookup)
    # are produced, plus the unambiguous validated numbers (id_number, uscc, phone, case_no)
    # as soon as the data uses entities at all; data without any entity (an intent-only
    # set) gets no entities. "all": every built-in extractor runs whatever the data says.
    entity_types: Literal["annotated", "all"] = "annotated"
    ranking_size: int = 10
    timezone: str = "Asia/Shanghai"
    entities: EntitySettings = field(default_factory=EntitySettings)
    features: FeatureSettings = field(default_factory=FeatureSettings)
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)


class NluEngine:
    """The built-in NLU; satisfies ``intents.types.Understanding``."""

    def __init__(
        self,
        tokenizer: DomainTokenizer,
        entities: EntityPipeline,
        weighting: Weighting,
        classifier: IntentClassifier,
        settings: NluSettings,
        metadata: dict[str, Any] | None = None,
    ):
        self.tokenizer = tokenizer
        self.entities = entities
        self.featurizer = Featurizer(tokenizer, settings.features)
        self.weighting = weighting
        self.classifier = classifier
        self.settings = settings
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.parse_cache = ParseCache()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("parse_cache", None)  # a run-time cache, not part of the model
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.parse_cache = ParseCache()

    @classmethod
    def train(
        cls,
        data: TrainingData,
        vocabulary: Sequence[str] = (),
        settings: NluSettings = NluSettings(),
        services: Sequence[str] = (),
    ) -> NluEngine:
        """Fit on ``data``; ``vocabulary`` feeds jieba, ``services`` the service dictionary."""
        if not data.examples:
            raise ValueError("no training examples")
        tokenizer = DomainTokenizer([*vocabulary, *_annotated_words(data)])
        types = None if settings.entity_types == "all" else _entity_types(data)
        ent_settings = replace(settings.entities, types=types)
        settings = replace(settings, entities=ent_settings)
        pipeline = EntityPipeline(data, ent_settings, tokenizer, services)
        featurizer = Featurizer(tokenizer, settings.features)
        raw = []
        for ex in data.examples:
            norm = normalize(ex.text)
            found = pipeline.extract(ex.text, _TRAIN_DAY, norm, learned=False)
            raw.append(featurizer.raw(mask(norm, found.entities), found.entities))
        weighting = Weighting(raw, settings.features)
        rows = [weighting.apply(r) for r in raw]
        classifier = IntentClassifier.train(
            rows, [ex.intent for ex in data.examples], settings.classifier
        )
        return cls(
            tokenizer,
            pipeline,
            weighting,
            classifier,
            settings,
            {
                "data_sha256": data.sha256,
                "examples": len(data.examples),
                "intents": list(classifier.classes),
            },
        )

    async def parse(self, text: str) -> Parse:
        return self.parse_cached(text, self.today())

    def parse_cached(self, text: str, today: date) -> Parse:
        """``parse_sync(text, today=today)``, memoised for short texts (bounded LRU)."""
        return self.parse_cache.get_or_parse(text, today, self._parse_on)

    def _parse_on(self, text: str, today: date) -> Parse:
        return self.parse_sync(text, today=today)

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    def extract(self, text: str, today: date | None = None) -> Extraction:
        return self.entities.extract(text, today or self.today())

    def parse_sync(self, text: str, *, today: date | None = None) -> Parse:
        norm = normalize(text)
        found = self.entities.extract(text, today or self.today(), norm)
        features = self.weighting.apply(
            self.featurizer.raw(mask(norm, found.entities), found.entities)
        )
        ranked = self.classifier.rank(features)[: self.settings.ranking_size]
        ranking = tuple(IntentScore(name, round(conf, 4)) for name, conf in ranked)
        top = ranking[0]
        extras: dict[str, Any] = {}
        if found.suspects:
            extras["suspects"] = [s.as_dict() for s in found.suspects]
        intent = top
        if top.confidence < self.settings.fallback_threshold or not norm.strip():
            intent = IntentScore(FALLBACK_INTENT, top.confidence)
            extras["fallback"] = {"intent": top.name, "confidence": top.confidence}
        return Parse(
            text=text,
            intent=intent,
            entities=found.entities,
            ranking=ranking,
            aspect=ASPECT_BY_INTENT.get(intent.name),
            extras=extras,
        )

    def predicted_intent(self, parse: Parse) -> str:
        """The classifier's own choice (before the fallback), for evaluation."""
        return parse.ranking[0].name if parse.ranking else parse.intent.name

    def save(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> NluEngine:
        with open(path, "rb") as fh:
            engine = pickle.load(fh)
        if not isinstance(engine, cls):
            raise TypeError(f"{path}: not an NluEngine model")
        return engine


def _entity_types(data: TrainingData) -> frozenset[str]:
    """ "annotated" mode: the declared types, plus the validated numbers when any entity is."""
    declared = data.declared_entities()
    return declared | VALIDATED_ENTITIES if declared else frozenset()


def _annotated_words(data: TrainingData) -> list[str]:
    """Annotated entity texts become jieba words, so a service name stays one token."""
    words = {s.text for ex in data.examples for s in ex.entities if len(s.text) >= 2}
    return sorted(w for w in words if w not in GOVERNMENT_VOCABULARY)


__all__ = ["FALLBACK_INTENT", "Entity", "NluEngine", "NluSettings"]
