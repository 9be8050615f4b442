"""The synonym dictionary: expansion (never substitution), typo correction, YAML merge."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.synonyms import (
    BUILTIN_SYNONYMS,
    EXPANSION_WEIGHT,
    SynonymsError,
    SynonymTable,
    load_synonyms,
)
from knowledge.text import normalized
from tests.knowledge.conftest import SHIPPED_QUERIES


@pytest.fixture(scope="module")
def table() -> SynonymTable:
    return SynonymTable.build()


def added(table: SynonymTable, text: str) -> set[str]:
    return {word for word, _ in table.expand(text)}


@pytest.mark.parametrize(
    ("everyday", "formal"),
    [
        ("驾照", "机动车驾驶证"),
        ("行驶本", "机动车行驶证"),
        ("社保卡", "社会保障卡"),
        ("医保", "医疗保险"),
        ("公积金", "住房公积金"),
        ("户口", "户籍"),
        ("长者卡", "老年人优待证"),
        ("个体户", "个体工商户"),
        ("开公司", "公司设立登记"),
        ("红本", "不动产权证书"),
        ("良民证", "无犯罪记录证明"),
        ("准生证", "生育登记"),
        ("退休金", "养老金"),
        ("回乡证", "港澳居民来往内地通行证"),
        ("台胞证", "台湾居民来往大陆通行证"),
        ("港澳证", "往来港澳通行证"),
        ("丢了", "补领"),
        ("过期", "换领"),
        ("第一次", "首次"),
    ],
)
def test_everyday_words_add_the_formal_term(
    table: SynonymTable, everyday: str, formal: str
) -> None:
    assert formal in added(table, f"我的{everyday}怎么办")


def test_look_alike_permits_stay_apart(table: SynonymTable) -> None:
    assert "往来港澳通行证" not in added(table, "回乡证怎么办")
    assert "大陆居民往来台湾通行证" not in added(table, "台胞证怎么办")


@pytest.mark.parametrize(
    ("typo", "correct"),
    [("港奥通行证", "港澳"), ("身分证", "身份证"), ("架驶证", "驾驶证"), ("公基金", "公积金")],
)
def test_typos_are_corrected(table: SynonymTable, typo: str, correct: str) -> None:
    assert correct in table.correct(typo)
    assert correct in added(table, typo)


def test_typo_then_group(table: SynonymTable) -> None:
    assert "社会保险" in added(table, "社宝怎么交")  # 社宝 -> 社保 -> 社会保险


def test_expansion_keeps_the_query(table: SynonymTable) -> None:
    words = dict(table.expand("驾照"))
    assert "驾照" not in words  # never re-adds or removes the citizen's own word
    assert words["机动车驾驶证"] == EXPANSION_WEIGHT


def test_one_character_verbs_open_event_groups(table: SynonymTable) -> None:
    group = table.group_of_char("补")
    assert group is not None and group[0] == "补领"
    assert table.group_of_char("的") is None


def test_yaml_file_is_merged(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yml"
    path.write_text("synonyms:\n  残疾人证: [残废证]\n  安居房: 人才房\n", encoding="utf-8")
    extra = load_synonyms(path)
    assert extra == {"残疾人证": ("残废证",), "安居房": ("人才房",)}
    table = SynonymTable.build().merged(extra)
    assert "残疾人证" in added(table, "残废证怎么办")
    assert "残疾证" in added(table, "残废证怎么办")  # joined the built-in group
    assert "安居房" in added(table, "人才房")
    assert len(table.groups) == len(SynonymTable.build().groups) + 1


@pytest.mark.parametrize(
    "text", ["synonyms: [a, b]\n", "other: {}\n", "synonyms:\n  a: {b: c}\n", "synonyms: [\n"]
)
def test_bad_yaml_file_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "synonyms.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SynonymsError, match=r"synonyms\.yml"):
        load_synonyms(path)


def test_builtin_table_is_well_formed() -> None:
    for formal, words in BUILTIN_SYNONYMS.items():
        assert formal and words and all(len(w) >= 2 for w in words), formal


def test_indexed_lookups_equal_scanning_every_word(table: SynonymTable) -> None:
    """groups_in/corrections/correct/group_of_char index the words; the answers are those of
    testing every word against the text."""
    queries = yaml.safe_load(SHIPPED_QUERIES.read_text(encoding="utf-8"))["queries"]
    texts = [normalized(q["text"]) for q in queries] + ["港奥通行证和身分证都丢了", "", "补"]
    for text in texts:
        corrections = list(dict.fromkeys(r for w, r in table.typos if w in text and r not in text))
        assert table.corrections(text) == corrections
        seen = " ".join([text, *corrections])
        assert table.groups_in(text) == [g for g in table.groups if any(m in seen for m in g)]
        fixed = text
        for wrong, right in sorted(table.typos, key=lambda t: -len(t[0])):
            fixed = fixed.replace(wrong, right)
        assert table.correct(text) == fixed
    for char, formal in dict(table.triggers).items():
        group = table.group_of_char(char)
        assert group is not None and group[0] == formal
    assert table.group_of_char("猫") is None
