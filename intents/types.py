"""What the NLU returns: the Rasa ``/model/parse`` shape as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

ASPECT_BY_INTENT: dict[str, str] = {
    "ask_materials": "materials",
    "ask_fee": "fee",
    "ask_time_limit": "time_limit",
    "ask_location": "locations",
    "ask_office_hours": "locations",
    "ask_conditions": "conditions",
    "ask_process": "process",
    "ask_online": "online",
}


@dataclass(frozen=True)
class Entity:
    entity: str
    start: int
    end: int
    value: Any
    text: str
    extractor: str
    confidence: float = 1.0

    def as_rasa(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "extractor": self.extractor,
            "confidence_entity": self.confidence,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float

    def as_rasa(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": self.confidence}


@dataclass(frozen=True)
class Parse:
    text: str
    intent: IntentScore
    entities: tuple[Entity, ...] = ()
    ranking: tuple[IntentScore, ...] = ()
    aspect: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def entity_values(self, name: str) -> list[Any]:
        return [e.value for e in self.entities if e.entity == name]

    def first(self, name: str) -> Any | None:
        values = self.entity_values(name)
        return values[0] if values else None

    def as_rasa(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent.as_rasa(),
            "entities": [e.as_rasa() for e in self.entities],
            "intent_ranking": [r.as_rasa() for r in self.ranking],
        }


class Understanding(Protocol):
    """The hub's NLU seam: anything that turns text into a Parse."""

    async def parse(self, text: str) -> Parse: ...
