"""Single-turn answers from the service catalogue: search, pick the aspect, compose."""

from __future__ import annotations

from knowledge.base import KnowledgeBase

from bot.messages import Button, Link, Reply
from intents.types import Parse
from knowledge.schema import Service

NO_MATCH_TEXT = (
    "抱歉，我没有找到与您的问题相关的政务服务事项。"
    "您可以换个说法，例如“港澳通行证要带什么材料”，或回复“转人工”咨询人工客服。"
)


class CatalogueAnswerer:
    def __init__(self, kb: KnowledgeBase, max_chars: int = 300) -> None:
        self.kb = kb
        self.max_chars = max_chars

    def aspect_of(self, text: str, parse: Parse | None) -> str:
        if parse is not None and parse.aspect:
            return parse.aspect
        return self.kb.detect_aspect(text)

    def district_of(self, text: str, parse: Parse | None) -> str | None:
        if parse is not None:
            value = parse.first("district")
            if isinstance(value, str):
                return value
        return self.kb.find_district(text)

    def answer_service(self, service: Service, aspect: str, district: str | None) -> Reply:
        answer = self.kb.answer(service, aspect, district, max_chars=self.max_chars)
        links = tuple(Link(title, url) for title, url in answer.links)
        return Reply(text=answer.text, links=links)

    def answer(self, text: str, parse: Parse | None = None) -> Reply | None:
        """The best service's answer for ``text``, or None when nothing matches."""
        hits = self.kb.search(text, k=3)
        if not hits:
            return None
        return self.answer_service(
            hits[0].service, self.aspect_of(text, parse), self.district_of(text, parse)
        )

    def no_match(self) -> Reply:
        return Reply(text=NO_MATCH_TEXT, buttons=(Button("转人工", "转人工"),))
