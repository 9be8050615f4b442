"""Search: colloquial, typo and Traditional questions find the right service; near-duplicates
are separated; off-topic questions find nothing."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.search import SearchHit


def top(kb: KnowledgeBase, text: str) -> str | None:
    hits = kb.search(text)
    return hits[0].service.id if hits else None


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("第一次办身份证要带什么", "id-first"),
        ("身份证丢了怎么补", "id-renew"),
        ("身份证过期了", "id-renew"),
        ("身分证到期换领", "id-renew"),  # typo
        ("身份證遺失補領要幾天", "id-renew"),  # Traditional
        ("小孩能办身份证吗", "id-first"),  # FAQ question
        ("租房能取公积金吗", "gjj-rent"),
        ("租房提公基金", "gjj-rent"),  # typo
        ("残疾证怎么办理", "blank-service"),  # synonym 残疾证 -> 残疾人证
    ],
)
def test_tiny_catalogue_queries(tiny_kb: KnowledgeBase, text: str, expect: str) -> None:
    assert top(tiny_kb, text) == expect


@pytest.mark.parametrize("text", ["今天天气怎么样", "你好", "我想吃火锅", "多少钱", "在哪里", ""])
def test_nothing_relevant_gives_no_hits(tiny_kb: KnowledgeBase, text: str) -> None:
    assert tiny_kb.search(text) == []


def test_hits_are_sorted_and_bounded(tiny_kb: KnowledgeBase) -> None:
    hits = tiny_kb.search("身份证", k=2)
    assert 1 <= len(hits) <= 2
    assert all(isinstance(h, SearchHit) and h.score >= 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0 <= h.confidence <= 1 for h in hits)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("头一回办港澳通行证要带啥", "crj-hk-macau-permit-first"),
        ("港奥通行证丢了咋办", "crj-hk-macau-permit-renew"),
        ("港澳通行证签注几多钱", "crj-hk-macau-endorsement"),
        ("护照过期了换一本要多久", "crj-passport-renew"),
        ("第一次辦護照要帶什麼", "crj-passport-first"),
        ("架驶证补办要多少钱", "jt-license-replace"),
        ("驾照到期换证要体检吗", "jt-license-renew"),
        ("社保卡丢了去哪补", "sb-card-replace"),
        ("医保报销自己垫的钱", "yb-reimbursement"),
        ("开公司要什么材料", "ss-llc-registration"),
        ("良民证在哪开", "ga-no-criminal-record"),
        ("宝宝刚出生怎么上户口", "hj-newborn-hukou"),
        ("长者卡怎么办", "mz-senior-card"),
        ("公积金租房提取", "gjj-withdraw-rent"),
        ("买房提取公积金", "gjj-withdraw-purchase"),
    ],
)
def test_shipped_catalogue_queries(shipped_kb: KnowledgeBase, text: str, expect: str) -> None:
    assert top(shipped_kb, text) == expect


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("第一次办身份证", "身份证丢了补办"),
        ("第一次办港澳通行证", "港澳通行证过期换证"),
        ("第一次办护照", "护照丢了"),
        ("驾驶证到期换证", "驾驶证丢了补领"),
        ("租房提取公积金", "买房提取公积金"),
    ],
)
def test_near_duplicates_are_separated(shipped_kb: KnowledgeBase, first: str, second: str) -> None:
    assert top(shipped_kb, first) != top(shipped_kb, second)
    assert top(shipped_kb, first) is not None and top(shipped_kb, second) is not None


def test_aspect_words_do_not_decide_the_service(shipped_kb: KnowledgeBase) -> None:
    plain = top(shipped_kb, "港澳通行证签注")
    for suffix in ("要带什么材料", "多少钱", "在哪里办", "网上能办吗", "多久能拿到"):
        assert top(shipped_kb, "港澳通行证签注" + suffix) == plain
