"""SMS text rules: keywords and splitting long answers (pure functions)."""

from __future__ import annotations

import re

import pytest

from bot.messages import Link, Reply
from channels.sms_text import Keyword, classify_keyword, render_segments, split_text

URL = "https://www.gdzwfw.gov.cn/portal/v2/guide/11440300MB2C92051X4442111809000?x=1&y=2"
NOTE = "……内容较长，详情请致电12345。"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("STOP", Keyword.STOP),
        ("stopall", Keyword.STOP),
        (" Unsubscribe\n", Keyword.STOP),
        ("cancel", Keyword.STOP),
        ("End", Keyword.STOP),
        ("QUIT", Keyword.STOP),
        ("退订", Keyword.STOP),
        ("退订。", Keyword.STOP),
        ("td", Keyword.STOP),
        ("ＴＤ", Keyword.STOP),
        ("t", Keyword.STOP),
        ("订阅", Keyword.START),
        ("Start", Keyword.START),
        ("yes", Keyword.START),
        ("unstop", Keyword.START),
        ("help", Keyword.HELP),
        ("帮助", Keyword.HELP),
        ("INFO", Keyword.HELP),
        ("怎么退订", None),
        ("stop the noise", None),
        ("TDX", None),
        ("", None),
    ],
)
def test_keywords(body: str, expected: Keyword | None) -> None:
    assert classify_keyword(body) is expected


def test_short_text_is_one_segment_without_marker() -> None:
    assert render_segments([Reply("您好。")], 300, 5, NOTE) == ["您好。"]
    assert render_segments([], 300, 5, NOTE) == []


def test_cuts_prefer_sentence_ends() -> None:
    text = "".join(f"第{i}句话写得比较长一些，用来测试切分。" for i in range(12))
    parts = split_text(text, 70)
    assert all(len(p) <= 70 for p in parts)
    assert all(p.endswith("。") for p in parts)
    assert "".join(parts) == text


def test_url_is_never_cut_even_when_it_straddles_the_limit() -> None:
    for prefix_len in range(0, 90, 7):
        text = "说明" * prefix_len + URL + "。后面还有一些说明文字。" * 3
        parts = split_text(text, 100)
        assert sum(p.count(URL) for p in parts) == 1, prefix_len
        assert all(len(p) <= 100 for p in parts)
        assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)


def test_url_longer_than_the_limit_stays_whole() -> None:
    parts = split_text("网址：" + URL + " 谢谢", 40)
    assert URL in parts
    assert all(len(p) <= 40 for p in parts if p != URL)


def test_text_without_any_break_is_cut_hard() -> None:
    parts = split_text("字" * 250, 100)
    assert [len(p) for p in parts] == [100, 100, 50]


def test_segments_are_numbered_and_replies_kept_together() -> None:
    long = "".join(f"第{i}项：请携带本人居民身份证原件及复印件一份。" for i in range(1, 9))
    replies = [Reply(long), Reply("网上办理", links=(Link("广东政务服务网", URL),))]
    parts = render_segments(replies, 120, 5, NOTE)
    assert all(len(p) <= 120 for p in parts)
    assert [p[:5] for p in parts] == [f"（{i}/{len(parts)}）" for i in range(1, len(parts) + 1)]
    assert parts[-1].endswith("网上办理\n广东政务服务网：" + URL)


def test_too_many_segments_end_with_a_note() -> None:
    text = "".join(f"第{i}项：请携带本人居民身份证原件及复印件一份。" for i in range(1, 40))
    parts = render_segments([Reply(text)], 100, 3, NOTE)
    assert len(parts) == 3
    assert all(len(p) <= 100 for p in parts)
    assert parts[-1].endswith(NOTE)
