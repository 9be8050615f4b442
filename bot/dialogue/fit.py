"""Keep every reply bubble within the SMS limit (``dialogue.max_reply_chars``).

The limit applies to ``Reply.as_plain_text()``, the rendering SMS and WeChat use (buttons as
numbered options, links as ``title：url``). A long text is split at line breaks, then at
sentence ends, then hard; buttons and links ride on the last piece when they fit, else get
their own bubble.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.messages import Button, Link, Reply

CHOOSE_PROMPT = "请选择："
_SENTENCE_END = re.compile(r"(?<=[。；;！!？?，,])")


def fit_replies(replies: Iterable[Reply], limit: int) -> list[Reply]:
    out: list[Reply] = []
    for reply in replies:
        out.extend(_fit_one(reply, limit))
    return out


def _fit_one(reply: Reply, limit: int) -> list[Reply]:
    if len(reply.as_plain_text()) <= limit:
        return [reply]
    pieces = split_text(reply.text, limit) if reply.text else []
    if pieces:
        last = Reply(pieces[-1], reply.buttons, reply.links)
        if len(last.as_plain_text()) <= limit:
            return [Reply(p) for p in pieces[:-1]] + [last]
    out = [Reply(p) for p in pieces]
    out.extend(_link_bubbles(reply.links, limit))
    if reply.buttons:
        out.append(_button_bubble(reply.buttons, limit))
    return out


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at lines, then sentences, then hard."""
    units: list[str] = []
    for line in text.split("\n"):
        units.extend(_split_line(line, limit))
    pieces: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}\n{unit}" if current else unit
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def _split_line(line: str, limit: int) -> list[str]:
    if len(line) <= limit:
        return [line]
    out: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE_END.split(line) if s):
        while len(sentence) > limit:
            head = limit - len(current)
            out.append(current + sentence[:head])
            sentence, current = sentence[head:], ""
        if len(current) + len(sentence) <= limit:
            current += sentence
        else:
            out.append(current)
            current = sentence
    if current:
        out.append(current)
    return out


def _link_bubbles(links: tuple[Link, ...], limit: int) -> list[Reply]:
    out: list[Reply] = []
    group: list[Link] = []
    for link in links:
        if len(Reply("", (), (*group, link)).as_plain_text()) > limit and group:
            out.append(Reply("", (), tuple(group)))
            group = []
        group.append(link)
    if group:
        out.append(Reply("", (), tuple(group)))
    return out


def _button_bubble(buttons: tuple[Button, ...], limit: int) -> Reply:
    kept: list[Button] = []
    for button in buttons:
        if len(Reply(CHOOSE_PROMPT, (*kept, button)).as_plain_text()) > limit:
            break
        kept.append(button)
    return Reply(CHOOSE_PROMPT, tuple(kept))
