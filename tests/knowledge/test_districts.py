"""District detection: full names, short forms, false friends."""

from __future__ import annotations

import pytest

from knowledge.districts import (
    DEFAULT_DISTRICTS,
    district_forms,
    district_mention,
    find_district,
    full_district_name,
    short_form,
)


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("南山区哪里办身份证", "南山区"),
        ("南山哪里办", "南山区"),
        ("我在大鹏，去哪办", "大鹏新区"),
        ("深汕有办证大厅吗", "深汕特别合作区"),
        ("深汕特别合作区可以办吗", "深汕特别合作区"),
        ("龍華哪裡辦", "龙华区"),
        ("福田还是罗湖近", "福田区"),
        ("光明新区的大厅", "光明区"),
        ("身份证要带啥", None),
        ("做人要光明正大", None),
        ("祝您寿比南山", None),
        ("", None),
    ],
)
def test_find_district(text: str, district: str | None) -> None:
    assert find_district(text, DEFAULT_DISTRICTS) == district


def test_short_forms() -> None:
    assert short_form("南山区") == "南山"
    assert short_form("大鹏新区") == "大鹏"
    assert short_form("深汕特别合作区") == "深汕"
    assert short_form("东区") is None  # too short to stand alone
    assert full_district_name("罗湖", DEFAULT_DISTRICTS) == "罗湖区"
    assert full_district_name("罗湖区", DEFAULT_DISTRICTS) == "罗湖区"
    assert full_district_name("浦东", DEFAULT_DISTRICTS) is None


def test_other_cities_work_with_their_own_list() -> None:
    districts = ("浦东新区", "徐汇区", "崇明区")
    assert find_district("浦东哪里办护照", districts) == "浦东新区"
    assert find_district("南山哪里办护照", districts) is None


def test_earliest_mention_then_longest_form_then_first_listed() -> None:
    assert district_mention("罗湖还是南山", DEFAULT_DISTRICTS) == ("罗湖区", 0)
    assert district_mention("去南山区办", DEFAULT_DISTRICTS) == ("南山区", 1)
    # 南山 is both a full name and the short form of 南山区: the first listed district wins
    assert district_mention("南山", ("南山", "南山区")) == ("南山", 0)
    assert district_mention("南山", ("南山区", "南山")) == ("南山区", 0)
    # 南山区 (full, longer) beats the short form 南山 of another district at the same place
    assert district_mention("南山区", ("南山", "南山区")) == ("南山区", 0)
    assert district_mention("光明正大地去福田", DEFAULT_DISTRICTS) == ("福田区", 6)


def test_district_forms() -> None:
    forms = district_forms(("南山区", "大鹏新区", "东区"))
    assert forms == {
        "南山区": "南山区",
        "南山": "南山区",
        "大鹏新区": "大鹏新区",
        "大鹏": "大鹏新区",
        "东区": "东区",
    }
