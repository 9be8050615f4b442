"""The channel contract: a channel verifies, parses and renders, nothing else.

Shape taken from Rasa's ``InputChannel``/``OutputChannel``: a named class built from its
config section, exposing aiohttp routes; rich replies fall back to text (``Reply.as_plain_text``).
Unlike Rasa, credentials are validated at start-up (``bot.config``) and nothing blocks the loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from aiohttp import web

from bot.coordination import KeyValueStore
from bot.messages import MessageHandler

if TYPE_CHECKING:
    from bot.config import Config


class ChannelRecords(Protocol):
    """The few record writes a channel protocol itself requires (opt-outs, receipts)."""

    async def record_opt_out(self, channel: str, address: str, reason: str) -> None: ...
    async def clear_opt_out(self, channel: str, address: str) -> None: ...
    async def is_opted_out(self, channel: str, address: str) -> bool: ...
    async def set_reachable(self, channel: str, address: str, reachable: bool) -> None: ...
    async def update_delivery_status(
        self, provider_ref: str, status: str, error: str | None = None
    ) -> bool:
        """Apply a provider receipt; False when no notification has that reference."""
        ...


@dataclass(frozen=True)
class ChannelContext:
    config: Config
    handle: MessageHandler
    kv: KeyValueStore
    records: ChannelRecords


class Channel(ABC):
    """One inbound channel. Subclasses set ``name`` and implement ``routes``."""

    name: ClassVar[str]

    def __init__(self, ctx: ChannelContext) -> None:
        self.ctx = ctx

    @classmethod
    @abstractmethod
    def is_enabled(cls, config: Config) -> bool: ...

    @abstractmethod
    def routes(self) -> list[web.AbstractRouteDef]: ...

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open resources (HTTP client sessions); called once when the app starts."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Close what ``start`` opened."""
