"""Deterministic recognisers: options, payloads, keywords, codes and scores."""

from __future__ import annotations

import pytest

from bot.dialogue.rules import (
    choice_index,
    command_payload,
    find_case_no,
    find_id_number,
    find_id_suffix,
    find_mobile,
    looks_like_code,
    parse_command,
    rating_score,
    wants_cancel,
    wants_end_handoff,
    wants_handoff,
    wants_reset,
)

CASE_NO = r"[A-Za-z]{2}\d{14}"


@pytest.mark.parametrize(
    ("text", "index"),
    [("2", 1), ("２", 1), (" 3 ", 2), ("第二个", 1), ("选1", 0), ("一", 0), ("第3项", 2)],
)
def test_choice_index_reads_digits_and_chinese_numerals(text: str, index: int) -> None:
    assert choice_index(text) == index


@pytest.mark.parametrize("text", ["12", "0", "2个人", "二手房", "123456", "我选"])
def test_choice_index_ignores_other_text(text: str) -> None:
    assert choice_index(text) is None


def test_command_payload_round_trips_unicode_arguments() -> None:
    payload = command_payload("choose", service_id="犬只-1")
    command = parse_command(payload)
    assert command is not None and command.name == "choose"
    assert command.arg("service_id") == "犬只-1"
    assert parse_command("/request_human") == parse_command(command_payload("request_human"))


@pytest.mark.parametrize("text", ["choose", "/choose{not json}", '/choose["list"]', "我要/投诉"])
def test_parse_command_rejects_non_commands(text: str) -> None:
    assert parse_command(text) is None


def test_find_case_no_is_case_insensitive_and_bounded() -> None:
    assert find_case_no("查一下sz20260301000123的进度", CASE_NO) == "SZ20260301000123"
    assert find_case_no("ＳＺ２０２６０３０１０００１２３", CASE_NO) == "SZ20260301000123"
    assert find_case_no("SZ202603010001234", CASE_NO) is None
    assert find_case_no("SZ2026", CASE_NO) is None


def test_looks_like_code_spots_attempts_but_not_words() -> None:
    assert looks_like_code("SZ2026")
    assert looks_like_code("20260301")
    assert not looks_like_code("我不知道编号")


def test_find_id_number_validates_the_checksum() -> None:
    assert find_id_number("身份证44030519900101123x") == ("44030519900101123X", False)
    assert find_id_number("440305199001011234") == (None, True)
    assert find_id_number("没有号码") == (None, False)


def test_find_id_suffix_takes_six_characters_only() -> None:
    assert find_id_suffix("后六位是01123x") == "01123X"
    assert find_id_suffix("13812345678") is None
    assert find_id_suffix("12345") is None


def test_find_mobile_tolerates_prefix_and_separators() -> None:
    assert find_mobile("电话+86 138-1234-5678") == "13812345678"
    assert find_mobile("0755-12345678") is None


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("非常满意", 5),
        ("满意", 4),
        ("基本满意", 3),
        ("不满意", 2),
        ("非常不满意", 1),
        ("5分", 5),
        ("四星", 4),
        ("很不满意", 1),
    ],
)
def test_rating_score_maps_words_and_explicit_scores(text: str, score: int) -> None:
    assert rating_score(text) == score


def test_rating_score_ignores_long_text_and_bare_digits() -> None:
    assert rating_score("我对你们的服务总体上还算是比较满意的吧") is None
    assert rating_score("5") is None


def test_mode_keywords() -> None:
    assert wants_handoff("帮我转人工")
    assert wants_handoff("人工客服")
    assert not wants_handoff("不用转人工")
    assert not wants_handoff("人工客服态度很差我要投诉")
    assert not wants_handoff("结束人工")
    assert wants_end_handoff("结束人工")
    assert wants_reset("换个问题吧")
    assert wants_cancel("算了")
    assert not wants_cancel("算了算了我还是想问一下护照要带什么材料")
