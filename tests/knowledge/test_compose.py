"""Answers: catalogue data only, the district's office first, never longer than max_chars."""

from __future__ import annotations

import pytest

from knowledge.aspects import ASPECTS
from knowledge.base import KnowledgeBase
from knowledge.compose import Answer, compose_answer, fit
from knowledge.schema import Service


def service(kb: KnowledgeBase, service_id: str) -> Service:
    found = kb.get(service_id)
    assert found is not None
    return found


def test_materials_are_numbered(tiny_kb: KnowledgeBase) -> None:
    answer = tiny_kb.answer(service(tiny_kb, "id-first"), "materials")
    assert answer.text.startswith("【居民身份证首次申领】")
    assert "1. 居民户口簿" in answer.text and "2. 照片回执（1份，可现场拍照）" in answer.text
    assert answer.links == (("居民身份证首次申领（网上办理）", "https://example.gov.cn/id"),)


def test_fee_time_and_process(tiny_kb: KnowledgeBase) -> None:
    first = service(tiny_kb, "id-first")
    assert "20元" in tiny_kb.answer(first, "fee").text
    assert "20个工作日" in tiny_kb.answer(first, "time_limit").text
    process = tiny_kb.answer(first, "process").text
    assert "1. 预约" in process and "3. 领取证件" in process


def test_office_in_the_district_is_chosen(tiny_kb: KnowledgeBase) -> None:
    text = tiny_kb.answer(service(tiny_kb, "id-first"), "locations", "福田区").text
    assert "福田派出所户政窗口" in text and "福中路2号" in text and "0755-22222222" in text
    assert "南山派出所" not in text


def test_no_office_in_the_district_says_so_and_lists_others(tiny_kb: KnowledgeBase) -> None:
    text = tiny_kb.answer(service(tiny_kb, "id-first"), "locations", "龙华区").text
    assert "暂无龙华区的办理地点" in text
    assert "福田派出所户政窗口" in text and "南山派出所户政窗口" in text
    # 福田 and 南山 both border 龙华; with 坪山 neither does, the catalogue order is kept.
    assert tiny_kb.answer(service(tiny_kb, "id-first"), "locations", "坪山区").text.count("\n") == 2


def test_locations_without_district_lists_all(tiny_kb: KnowledgeBase) -> None:
    text = tiny_kb.answer(service(tiny_kb, "id-first"), "locations").text
    assert "共2处" in text and "南山派出所" in text and "福田派出所" in text


@pytest.mark.parametrize(
    ("aspect", "phrase"),
    [
        ("fee", "暂无该事项的收费信息"),
        ("time_limit", "暂无该事项的办理时限信息"),
        ("conditions", "暂无该事项的申请条件信息"),
        ("process", "暂无该事项的办理流程信息"),
        ("locations", "暂无该事项的办理地点信息"),
        ("online", "暂无该事项的网上办理渠道"),
    ],
)
def test_missing_data_is_reported_not_invented(
    tiny_kb: KnowledgeBase, aspect: str, phrase: str
) -> None:
    answer = tiny_kb.answer(service(tiny_kb, "blank-service"), aspect)
    assert phrase in answer.text
    assert "12345" in answer.text  # no phone in the catalogue: the city hotline
    assert answer.links == ()


def test_general_summary_uses_only_present_fields(tiny_kb: KnowledgeBase) -> None:
    blank = tiny_kb.answer(service(tiny_kb, "blank-service"), "general").text
    assert "办理时限" not in blank and "收费" not in blank and "所需材料：共1项" in blank
    full = tiny_kb.answer(service(tiny_kb, "gjj-rent"), "general").text
    assert "即时办结" in full and "不收费" in full and "可网上办理" in full


def test_online_without_link_points_to_an_office(tiny_kb: KnowledgeBase) -> None:
    text = tiny_kb.answer(service(tiny_kb, "id-renew"), "online").text
    assert "暂无该事项的网上办理渠道" in text and "罗湖派出所户政窗口" in text


def test_online_with_link(tiny_kb: KnowledgeBase) -> None:
    answer = tiny_kb.answer(service(tiny_kb, "gjj-rent"), "online")
    assert "https://example.gov.cn/gjj" in answer.text
    assert answer.links[0][1] == "https://example.gov.cn/gjj"


def test_long_lists_are_cut_at_an_item_boundary(tiny_kb: KnowledgeBase) -> None:
    answer = tiny_kb.answer(service(tiny_kb, "id-first"), "locations", max_chars=110)
    assert len(answer.text) <= 110
    assert answer.text.endswith("更多请见：https://example.gov.cn/id")
    assert "1. 南山派出所户政窗口：南山大道1号；" in answer.text and "2. " not in answer.text
    tight = tiny_kb.answer(service(tiny_kb, "id-first"), "locations", max_chars=70).text
    assert len(tight) <= 70 and "1. 南山" in tight and tight.endswith("example.gov.cn/id")


def test_fit_never_exceeds_the_limit() -> None:
    text = fit("标题", ["很长的一项" * 40, "第二项"], "更多请拨打 12345 咨询。", 70)
    assert len(text) <= 70


def test_every_shipped_answer_fits(shipped_kb: KnowledgeBase) -> None:
    for svc in shipped_kb.catalogue.services:
        for aspect in ASPECTS:
            for district in (None, "南山区", "深汕特别合作区"):
                answer = compose_answer(svc, aspect, district)
                assert isinstance(answer, Answer)
                assert answer.text.startswith(f"【{svc.name}】")
                assert len(answer.text) <= 300, (svc.id, aspect, district)
                assert len(compose_answer(svc, aspect, district, max_chars=120).text) <= 120


def test_shipped_answers_quote_the_catalogue(shipped_kb: KnowledgeBase) -> None:
    for svc in shipped_kb.catalogue.services:
        if svc.fee:
            assert svc.fee in shipped_kb.answer(svc, "fee").text
        if svc.time_limit:
            assert svc.time_limit in shipped_kb.answer(svc, "time_limit").text
        for loc in svc.locations:
            text = shipped_kb.answer(svc, "locations", loc.district, max_chars=1000).text
            assert loc.name in text and loc.address in text
