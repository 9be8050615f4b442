"""Catalogue answers as replies: the composed text plus the service's links."""

from __future__ import annotations

from bot.messages import Link, Reply
from knowledge.base import KnowledgeBase
from knowledge.schema import Service


class CatalogueAnswerer:
    def __init__(self, kb: KnowledgeBase, max_chars: int = 300) -> None:
        self.kb = kb
        self.max_chars = max_chars

    def answer_service(self, service: Service, aspect: str, district: str | None) -> Reply:
        """The answer about one aspect of a service (the office in ``district`` if given)."""
        answer = self.kb.answer(service, aspect, district, max_chars=self.max_chars)
        # A link whose address the text already shows would only repeat it on SMS.
        links = tuple(Link(title, url) for title, url in answer.links if url not in answer.text)
        return Reply(text=answer.text, links=links)
