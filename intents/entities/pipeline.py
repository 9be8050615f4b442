"""All entity extractors in one pass, overlaps resolved, synonyms applied.

Precedence when spans overlap: validated numbers (id_number, uscc, phone) and regex entities
first; then the longest span among dates, districts and dictionary entities (at equal length
the earlier extractor in that list wins); the learned tagger last. Touching dictionary or
learned spans of the same type are merged into one mention; one that directly precedes a
number entity ("身份证440303...") is the number's label and is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from intents.entities.dates import find_dates
from intents.entities.learned import SpanTagger
from intents.entities.lookup import Gazetteer, district_forms
from intents.entities.numbers import (
    RegexExtractor,
    Suspect,
    find_id_numbers,
    find_phones,
    find_usccs,
)
from intents.loader import TrainingData
from intents.normalize import normalize
from intents.places import SHENZHEN_DISTRICTS
from intents.tokenizer import DomainTokenizer
from intents.types import Entity

VALIDATED_ENTITIES = frozenset({"id_number", "uscc", "phone", "case_no"})
RULE_ENTITIES = frozenset({"id_number", "uscc", "phone", "date", "district"})
_RANK = {
    "IdNumberExtractor": 0,
    "UsccExtractor": 0,
    "PhoneExtractor": 0,
    "RegexEntityExtractor": 1,
    "DateExtractor": 2,
    "DistrictExtractor": 3,
    "LookupEntityExtractor": 4,
    "SpanTagger": 5,
}


@dataclass(frozen=True)
class EntitySettings:
    case_no_pattern: str | None = r"[A-Za-z]{2}\d{14}"
    districts: tuple[str, ...] = SHENZHEN_DISTRICTS
    # None: every extractor runs; else only entities of these names are produced.
    types: frozenset[str] | None = None
    fuzzy: bool = True
    learned: bool = True


@dataclass(frozen=True)
class Extraction:
    entities: tuple[Entity, ...] = ()
    suspects: tuple[Suspect, ...] = field(default_factory=tuple)


class EntityPipeline:
    def __init__(
        self,
        data: TrainingData,
        settings: EntitySettings,
        tokenizer: DomainTokenizer,
        services: Sequence[str] = (),
    ):
        self.settings = settings
        patterns = [(r.name, r.pattern) for r in data.regexes]
        if settings.case_no_pattern and not any(n == "case_no" for n, _ in patterns):
            patterns.append(("case_no", settings.case_no_pattern))
        self._regex = RegexExtractor([p for p in patterns if self.wants(p[0])])
        self._districts = Gazetteer(
            ((s, "district", v) for s, v in district_forms(settings.districts).items()),
            "DistrictExtractor",
        )
        self._lookup = Gazetteer(
            _dictionary_entries(data, self._regex.names, services),
            "LookupEntityExtractor",
            fuzzy=settings.fuzzy,
        )
        self._tokenizer = tokenizer
        self._tagger = SpanTagger.train(data, tokenizer, skip=RULE_ENTITIES | self._regex.names)
        self._synonyms = {normalize(k): v for k, v in data.synonym_table().items()}

    def wants(self, name: str) -> bool:
        return self.settings.types is None or name in self.settings.types

    def extract(
        self, text: str, today: date, norm: str | None = None, learned: bool = True
    ) -> Extraction:
        """Entities of ``text``; ``learned=False`` skips the tagger (training-time masking,
        where the dictionaries already know every annotated mention)."""
        norm = normalize(text) if norm is None else norm
        candidates: list[Entity] = []
        suspects: list[Suspect] = []
        if self.wants("id_number"):
            ids, suspects = find_id_numbers(norm, text)
            candidates += ids
        if self.wants("uscc"):
            candidates += find_usccs(norm, text)
        if self.wants("phone"):
            candidates += find_phones(norm, text)
        candidates += self._regex.find(norm, text)
        if self.wants("date"):
            candidates += self._dates(norm, text, today, suspects)
        if self.wants("district"):
            candidates += self._districts.find(norm, text)
        candidates += self._open_vocabulary(norm, text, learned)
        chosen = _drop_number_labels(_merge_adjacent(_resolve(candidates)), norm)
        return Extraction(tuple(self._synonym(e) for e in chosen), tuple(suspects))

    def _open_vocabulary(self, norm: str, text: str, learned: bool) -> list[Entity]:
        """Dictionary and learned mentions that start and end on jieba word boundaries (so
        身份 is not found inside 身份证), do not name an office (社保局, 婚姻登记处,
        公积金中心: the place, not the service) and do not label a number (身份证号)."""
        found = [e for e in self._lookup.find(norm, text) if self.wants(e.entity)]
        tagger = learned and self.settings.learned and bool(self._tagger.entity_names)
        if not found and not tagger:
            return []
        tokens = self._tokenizer.tokens(norm)
        if tagger:
            found += [e for e in self._tagger.find(norm, text, tokens) if self.wants(e.entity)]
        starts = {s for _, s, _ in tokens}
        ends = {e for _, _, e in tokens}
        return [
            e
            for e in found
            if e.start in starts and e.end in ends and not _NOT_A_MENTION.match(norm, e.end)
        ]

    def _dates(self, norm: str, text: str, today: date, suspects: list[Suspect]) -> list[Entity]:
        found = []
        for m in find_dates(norm, today):
            if m.value is None:
                suspects.append(
                    Suspect("invalid_date", m.start, m.end, text[m.start : m.end], m.reason)
                )
            else:
                found.append(
                    Entity(
                        "date",
                        m.start,
                        m.end,
                        m.value.isoformat(),
                        text[m.start : m.end],
                        "DateExtractor",
                    )
                )
        return found

    def _synonym(self, entity: Entity) -> Entity:
        mapped = self._synonyms.get(normalize(entity.text).strip())
        return entity if mapped is None else replace(entity, value=mapped)


def _dictionary_entries(
    data: TrainingData, regex_names: frozenset[str], services: Sequence[str]
) -> list[tuple[str, str, str]]:
    """Lookup tables, annotated values of non-rule entities and the caller's service names."""
    entries = [(v, name, v) for name, values in data.lookups for v in values]
    skip = RULE_ENTITIES | regex_names
    for ex in data.examples:
        entries += [(s.text, s.entity, s.value) for s in ex.entities if s.entity not in skip]
    entries += [(name, "service", name) for name in services]
    # A synonym of a known value is a surface form of that value's entity (身分证 -> 身份证).
    entity_of = {value: entity for _, entity, value in entries}
    entries += [
        (surface, entity_of[value], value) for surface, value in data.synonyms if value in entity_of
    ]
    return entries


def _resolve(candidates: list[Entity]) -> list[Entity]:
    def key(e: Entity) -> tuple[int, int, int]:
        rank = _RANK.get(e.extractor, 9)
        group = 0 if rank <= 1 else 2 if rank >= 5 else 1
        return (group, -(e.end - e.start), rank)

    chosen: list[Entity] = []
    for cand in sorted(candidates, key=key):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda e: e.start)


def _merge_adjacent(entities: list[Entity]) -> list[Entity]:
    """Touching dictionary/learned spans of one type are one mention (港澳通行证 + 签注)."""
    merged: list[Entity] = []
    for ent in entities:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.end == ent.start
            and prev.entity == ent.entity
            and _RANK.get(prev.extractor, 9) >= 4
            and _RANK.get(ent.extractor, 9) >= 4
        ):
            text = prev.text + ent.text
            merged[-1] = replace(
                prev,
                end=ent.end,
                text=text,
                value=text,
                confidence=min(prev.confidence, ent.confidence),
            )
        else:
            merged.append(ent)
    return merged


# After a mention: an office (社保局, 婚姻登记处) or a number label (身份证号, 护照号码).
_NOT_A_MENTION = re.compile(r"处(?!理)|局|中心|办事处|服务站|工作站|号|编号|代码")
_LABEL_GAP = re.compile(r"[号码是为:：\s]*")


def _drop_number_labels(entities: list[Entity], norm: str) -> list[Entity]:
    """ "身份证440303..." / "护照号码: E1234..." : a dictionary or learned mention right before
    a number entity names that number, it is not a mention of the service."""
    number_starts = {e.start for e in entities if _RANK.get(e.extractor, 9) <= 1}
    kept = []
    for ent in entities:
        if _RANK.get(ent.extractor, 9) >= 4:
            gap = _LABEL_GAP.match(norm, ent.end)
            if gap is not None and gap.end() in number_starts:
                continue
        kept.append(ent)
    return kept
