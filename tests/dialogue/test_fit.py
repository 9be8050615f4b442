"""Replies are cut to the SMS limit without losing text, buttons or links."""

from __future__ import annotations

from bot.dialogue.fit import CHOOSE_PROMPT, fit_replies, split_text
from bot.messages import Button, Link, Reply

LIMIT = 80


def test_short_reply_is_untouched() -> None:
    reply = Reply("你好", (Button("转人工", "/request_human"),))
    assert fit_replies([reply], LIMIT) == [reply]


def test_long_text_splits_at_lines_and_keeps_everything() -> None:
    lines = [f"{i}. 第{i}项材料：居民身份证原件及复印件一份" for i in range(1, 10)]
    text = "\n".join(lines)
    pieces = fit_replies([Reply(text)], LIMIT)
    assert len(pieces) > 1
    assert all(len(p.as_plain_text()) <= LIMIT for p in pieces)
    assert "\n".join(p.text for p in pieces) == text


def test_a_single_long_line_splits_at_sentence_ends() -> None:
    text = "，".join(["办理时需携带本人居民身份证"] * 12) + "。"
    pieces = split_text(text, LIMIT)
    assert all(len(p) <= LIMIT for p in pieces)
    assert "".join(pieces) == text
    assert pieces[0].endswith("，")


def test_buttons_move_to_their_own_bubble_when_needed() -> None:
    buttons = tuple(Button(f"选项{i}" * 3, f"/x{i}") for i in range(3))
    link = Link("网上办理", "https://example.gov.cn/apply")
    reply = Reply("说" * (LIMIT - 5), buttons, (link,))
    pieces = fit_replies([reply], LIMIT)
    assert all(len(p.as_plain_text()) <= LIMIT for p in pieces)
    assert pieces[-1].text == CHOOSE_PROMPT and pieces[-1].buttons == buttons
    assert [link] == [lk for p in pieces for lk in p.links]
