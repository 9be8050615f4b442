"""Message types that cross the channel <-> hub boundary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any


def _empty_metadata() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class InboundMessage:
    """One thing a citizen said, already verified and parsed by its channel."""

    channel: str
    sender: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=_empty_metadata)
    message_id: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def session_key(self) -> str:
        """Senders are only unique within a channel."""
        return f"{self.channel}:{self.sender}"


@dataclass(frozen=True)
class Reply:
    """One answer bubble. Rich parts degrade to text on channels without them."""

    text: str
    buttons: tuple[Button, ...] = ()
    links: tuple[Link, ...] = ()

    def as_plain_text(self) -> str:
        """Text-only rendering: buttons become numbered options, links become 'title: url'."""
        parts = [self.text]
        if self.buttons:
            parts.append("\n".join(f"{i}. {b.title}" for i, b in enumerate(self.buttons, 1)))
            parts.append("请回复序号选择。")
        parts.extend(f"{link.title}：{link.url}" for link in self.links)
        return "\n".join(p for p in parts if p)


MessageHandler = Callable[[InboundMessage], Awaitable[list[Reply]]]
