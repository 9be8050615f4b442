"""The facade the hub uses: one catalogue, its search index, aspect and district detection,
and the answer composer."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from intents.normalize import normalize_loose
from knowledge import aspects
from knowledge.compose import Answer, compose_answer
from knowledge.districts import DEFAULT_DISTRICTS, district_mention, short_form
from knowledge.loader import SYNONYM_FILES, load_catalogue
from knowledge.schema import Catalogue, Service
from knowledge.search import SearchHit, SearchIndex
from knowledge.synonyms import SynonymTable, load_synonyms
from knowledge.text import normalized

# A hit explaining less than this share of the question's informative words is "no match".
# Measured on the shipped set: correct first hits have confidence >= 0.2 and off-topic
# questions (天气, 火锅, 股票 ...) stay below 0.12.
MIN_CONFIDENCE = 0.15
TEXT_CACHE_SIZE = 1024  # per message text: its aspect and district


def default_synonyms_file(catalogue_path: Path) -> Path | None:
    """``synonyms.yml`` (or ``.yaml``) next to the catalogue files, if there is one."""
    folder = catalogue_path if catalogue_path.is_dir() else catalogue_path.parent
    for name in sorted(SYNONYM_FILES):
        if (folder / name).is_file():
            return folder / name
    return None


class KnowledgeBase:
    """Search, aspect/district detection and answers over one validated catalogue."""

    def __init__(
        self,
        catalogue: Catalogue,
        districts: Sequence[str] = DEFAULT_DISTRICTS,
        synonyms: SynonymTable | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.districts = tuple(districts)
        self._index = SearchIndex(catalogue, synonyms, self.districts, self.districts)
        self._by_id: dict[str, Service] = {}
        for service in catalogue.services:
            self._by_id.setdefault(service.id, service)
        self._aspect = lru_cache(maxsize=TEXT_CACHE_SIZE)(self._detect_aspect)
        self._district = lru_cache(maxsize=TEXT_CACHE_SIZE)(self._find_district)

    @classmethod
    def load(
        cls, path: Path, districts: Sequence[str], synonyms: Path | None = None
    ) -> KnowledgeBase:
        """Load and validate the catalogue (``CatalogueError``) and its synonyms file
        (``SynonymsError``); without ``synonyms`` a ``synonyms.yml`` beside the catalogue is
        used when present."""
        path = Path(path)
        catalogue = load_catalogue(path, districts)
        table = SynonymTable.build()
        synonyms_file = synonyms if synonyms is not None else default_synonyms_file(path)
        if synonyms_file is not None:
            table = table.merged(load_synonyms(Path(synonyms_file)))
        return cls(catalogue, districts, table)

    def search(self, text: str, k: int = 5) -> list[SearchHit]:
        """Best services first; ``[]`` when nothing is relevant. A hit is kept when its
        ``confidence`` (the share of the question's informative words it explains, 0..1) is at
        least ``MIN_CONFIDENCE`` (0.15); callers may ask for a clarification below ~0.3 or
        when the first two hits score within a few percent of each other."""
        return self._index.search(text, k, MIN_CONFIDENCE)

    def detect_aspect(self, text: str) -> str:
        """The aspect asked about (known misspellings corrected first: 体捡 -> 体检)."""
        return self._aspect(text)

    def find_district(self, text: str) -> str | None:
        """The district the citizen mentions (full name or short form), earliest first."""
        return self._district(text)

    def clear_caches(self) -> None:
        """Forget every cached analysis of message texts: this index's (search, aspect,
        district) and the process-wide ones (cue matches, normalisation)."""
        self._index.cache_clear()
        self._aspect.cache_clear()
        self._district.cache_clear()
        aspects.clear_cache()
        normalized.cache_clear()

    def _detect_aspect(self, text: str) -> str:
        return aspects.aspect_of(self._index.synonyms.correct(normalized(text)), self.districts)

    def _find_district(self, text: str) -> str | None:
        mention = district_mention(normalized(text), self.districts)
        return mention[0] if mention else None

    def answer(
        self, service: Service, aspect: str, district: str | None = None, max_chars: int = 300
    ) -> Answer:
        return compose_answer(service, aspect, district, max_chars)

    def get(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def vocabulary(self) -> list[str]:
        """Service names, aliases, departments, categories, districts (full and short) and
        synonym words, normalised: for the NLU's jieba dictionary."""
        words = set(self._index.vocabulary_words())
        for district in self.districts:
            words.add(normalize_loose(district))
            short = short_form(normalize_loose(district))
            if short:
                words.add(short)
        return sorted(words)
