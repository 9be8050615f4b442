"""Understanding backed by the catalogue's own aspect detection (no trained model).

Serves when no NLU model is configured: an ``ask_<aspect>`` intent from the knowledge
module's aspect rules and a ``district`` entity, in the same ``Parse`` shape the NLU returns.
"""

from __future__ import annotations

from intents.types import ASPECT_BY_INTENT, Entity, IntentScore, Parse
from knowledge.base import KnowledgeBase

_INTENT_BY_ASPECT = {aspect: intent for intent, aspect in ASPECT_BY_INTENT.items()}
_INTENT_BY_ASPECT["locations"] = "ask_location"


class KnowledgeUnderstanding:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb

    async def parse(self, text: str) -> Parse:
        aspect = self._kb.detect_aspect(text)
        intent = _INTENT_BY_ASPECT.get(aspect, "ask_general")
        entities: tuple[Entity, ...] = ()
        district = self._kb.find_district(text)
        if district:
            entities = (Entity("district", 0, 0, district, district, "KnowledgeDistrictExtractor"),)
        score = IntentScore(intent, 1.0)
        return Parse(text=text, intent=score, entities=entities, ranking=(score,), aspect=aspect)
