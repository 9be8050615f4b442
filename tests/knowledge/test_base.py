"""The KnowledgeBase facade."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.districts import DEFAULT_DISTRICTS
from knowledge.loader import CatalogueError
from knowledge.synonyms import SynonymsError
from tests.knowledge.conftest import TINY_CATALOGUE

Writer = Callable[..., Path]


def test_facade_methods(tiny_kb: KnowledgeBase) -> None:
    assert tiny_kb.get("id-first") is not None and tiny_kb.get("x") is None
    assert tiny_kb.detect_aspect("身份证要带啥") == "materials"
    assert tiny_kb.detect_aspect("换证要体捡吗") == "materials"  # typo corrected first
    assert tiny_kb.find_district("我在南山") == "南山区"
    hit = tiny_kb.search("身份证丢了")[0]
    answer = tiny_kb.answer(hit.service, "fee")
    assert "补领40元" in answer.text


def test_vocabulary_for_the_nlu(tiny_kb: KnowledgeBase) -> None:
    words = tiny_kb.vocabulary()
    for word in (
        "居民身份证首次申领",
        "居民身份证遗失补领",
        "市公安局",
        "南山区",
        "南山",
        "驾照",
        "社保卡",
    ):
        assert word in words
    assert words == sorted(set(words))


def test_synonyms_file_beside_the_catalogue_is_used(write_catalogue: Writer) -> None:
    folder = write_catalogue(
        {"tiny.yml": TINY_CATALOGUE, "synonyms.yml": "synonyms:\n  残疾人证: [残废证]\n"}
    )
    kb = KnowledgeBase.load(folder, DEFAULT_DISTRICTS)
    assert kb.search("残废证怎么办")[0].service.id == "blank-service"
    assert "残废证" in kb.vocabulary()


def test_explicit_synonyms_file(tiny_path: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.yml"
    extra.write_text("synonyms:\n  住房公积金: 房子基金\n", encoding="utf-8")
    kb = KnowledgeBase.load(tiny_path, DEFAULT_DISTRICTS, synonyms=extra)
    assert kb.search("租房提取房子基金")[0].service.id == "gjj-rent"
    extra.write_text("synonyms: 1\n", encoding="utf-8")
    with pytest.raises(SynonymsError):
        KnowledgeBase.load(tiny_path, DEFAULT_DISTRICTS, synonyms=extra)


def test_invalid_catalogue_raises(write_catalogue: Writer) -> None:
    folder = write_catalogue({"a.yml": "services: []\n"})
    with pytest.raises(CatalogueError):
        KnowledgeBase.load(folder, DEFAULT_DISTRICTS)


_ALLOWED_INTENTS_IMPORTS = (
    "from intents.normalize import",
    "from intents.tokenizer import base_dictionary",
    "from intents.places import SHENZHEN_DISTRICTS",
)


def test_no_bot_imports() -> None:
    """`knowledge` uses only the NLU's text normalisation and jieba base dictionary."""
    root = Path(__file__).resolve().parents[2] / "knowledge"
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("import bot", "from bot", "import channels", "from channels", "from push"):
            assert banned not in text, (path.name, banned)
        for line in text.splitlines():
            if line.startswith(("from intents", "import intents")):
                assert line.startswith(_ALLOWED_INTENTS_IMPORTS), path.name
