"""The policy that answers each message from the catalogue (single turn)."""

from __future__ import annotations

from bot.answer import CatalogueAnswerer
from bot.messages import InboundMessage, Reply
from intents.types import Understanding


class CataloguePolicy:
    def __init__(self, understanding: Understanding, answerer: CatalogueAnswerer) -> None:
        self._understanding = understanding
        self._answerer = answerer

    async def respond(self, message: InboundMessage) -> tuple[list[Reply], str]:
        parse = await self._understanding.parse(message.text)
        reply = self._answerer.answer(message.text, parse)
        if reply is None:
            return [self._answerer.no_match()], "no_match"
        return [reply], parse.intent.name
