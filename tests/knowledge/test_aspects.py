"""Aspect detection: colloquial, dialect and Traditional phrasing; documented conflicts."""

from __future__ import annotations

import pytest
import yaml

from knowledge.aspects import ASPECTS, _compiled, _raw_matches, cue_spans, detect_aspect
from knowledge.text import normalized
from tests.knowledge.conftest import SHIPPED_QUERIES

TABLE = [
    # materials
    ("身份证要带啥", "materials"),
    ("办护照要准备什么材料", "materials"),
    ("要带咩证件去", "materials"),
    ("需要哪些证明", "materials"),
    ("身份证需要什么", "materials"),
    # fee
    ("办护照几多钱", "fee"),
    ("港澳通行证收费吗", "fee"),
    ("要钱吗", "fee"),
    ("工本费是多少", "fee"),
    ("是不是免费的", "fee"),
    # time limit
    ("港澳通行证多久能拿到", "time_limit"),
    ("几天能办好", "time_limit"),
    ("什么时候能拿证", "time_limit"),
    ("办理时限是多长时间", "time_limit"),
    ("可以加急吗", "time_limit"),
    # locations, office hours included
    ("南山哪里可以办", "locations"),
    ("办事大厅地址在哪", "locations"),
    ("喺边度办", "locations"),
    ("周末上班吗", "locations"),
    ("几点开门", "locations"),
    ("坪山能换护照吗", "locations"),
    # conditions
    ("非深户可以办吗", "conditions"),
    ("需要什么条件", "conditions"),
    ("外地人能不能办", "conditions"),
    ("可以让家人代办吗", "conditions"),
    ("要不要做居住登记", "conditions"),
    ("养老金资格认证要本人去吗", "conditions"),
    # process
    ("居住证怎么办理", "process"),
    ("流程是咋样的", "process"),
    ("驾照换证的手续", "process"),
    ("點樣辦", "process"),
    # online
    ("网上怎么办", "online"),
    ("能网上办吗", "online"),
    ("粤省事可以办吗", "online"),
    ("有没有小程序", "online"),
    ("手机上能弄不", "online"),
    # general
    ("我想办身份证", "general"),
    ("港澳通行证", "general"),
    ("", "general"),
]


@pytest.mark.parametrize(("text", "aspect"), TABLE)
def test_aspect_table(text: str, aspect: str) -> None:
    assert detect_aspect(text) == aspect


def test_conflicts_resolve_as_documented() -> None:
    assert detect_aspect("网上怎么办") == "online"  # channel beats generic how
    assert detect_aspect("在哪里交钱") == "fee"  # paying beats place
    assert detect_aspect("要带什么去哪里办") == "materials"  # equal cues: first wins
    assert detect_aspect("需要什么条件") == "conditions"  # longer cue hides 需要什么
    assert detect_aspect("营业执照变更地址怎么弄") == "process"  # 变更地址 is not a place question


def test_traditional_and_full_width_are_normalised() -> None:
    assert detect_aspect("辦護照要帶什麼") == "materials"
    assert detect_aspect("要几多錢？") == "fee"
    assert detect_aspect("能在ＡＰＰ上办吗") == "online"


def test_every_detected_aspect_is_known() -> None:
    for text, _ in TABLE:
        assert detect_aspect(text) in ASPECTS


def test_cue_spans_cover_cue_words_only() -> None:
    text = "港澳通行证要多少钱"
    spans = cue_spans(text)
    assert spans and all(text[s:e] in "多少钱" for s, e in spans)
    assert cue_spans("养老金资格认证") == []  # neutral phrase, part of a service name


def test_cue_matches_are_found_at_every_position() -> None:
    """The scan skips ahead with ``search`` but finds what matching at each position finds,
    overlapping matches included."""
    queries = yaml.safe_load(SHIPPED_QUERIES.read_text(encoding="utf-8"))["queries"]
    texts = [normalized(q["text"]) for q in queries] + ["要要要带带什么什么", "多少钱多少钱", ""]
    for text in texts:
        specific, broad = [], []
        for aspect, weight, is_broad, pattern in _compiled():
            for start in range(len(text)):
                m = pattern.match(text, start)
                if m and m.end() > start:
                    (broad if is_broad else specific).append((start, m.end(), aspect, weight))
        assert _raw_matches(text) == (specific, broad), text
