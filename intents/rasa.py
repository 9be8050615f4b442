"""A Rasa server as the NLU backend (``nlu.backend: rasa``), with the built-in engine behind it.

``RasaHttpUnderstanding.parse`` calls ``POST {url}/model/parse`` (``{"text": ...}``, the
token as the ``?token=`` query parameter like Rasa's own auth) and maps the answer to a
``Parse``. On a timeout, a connection error, an HTTP error status or an answer that is not
Rasa's shape it uses the fallback understanding (normally the built-in ``NluEngine``) and
marks ``Parse.extras["backend"] = "builtin-fallback"``; without a fallback it raises
``RasaUnavailable``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

import aiohttp

from intents.engine import FALLBACK_INTENT, NluEngine
from intents.types import ASPECT_BY_INTENT, Entity, IntentScore, Parse, Understanding

log = logging.getLogger("citizen_hub.nlu.rasa")


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer usefully and no fallback is configured."""


class RasaConfigLike(Protocol):
    @property
    def url(self) -> str | None: ...
    @property
    def token(self) -> str | None: ...
    @property
    def timeout_s(self) -> float: ...
    @property
    def fallback_to_builtin(self) -> bool: ...


class NluBackendConfigLike(Protocol):
    @property
    def backend(self) -> str: ...
    @property
    def rasa(self) -> RasaConfigLike: ...


def parse_from_rasa(answer: Any, text: str) -> Parse:
    """Rasa's /model/parse answer -> Parse; ``ValueError`` if it is not that shape."""
    if not isinstance(answer, dict) or not isinstance(answer.get("intent"), dict):
        raise ValueError("answer has no 'intent' object")
    intent = _score(answer["intent"])
    ranking = tuple(_score(r) for r in answer.get("intent_ranking") or [] if isinstance(r, dict))
    entities = tuple(_entity(e, text) for e in answer.get("entities") or [])
    return Parse(
        text=text,
        intent=intent,
        entities=entities,
        ranking=ranking or (intent,),
        aspect=ASPECT_BY_INTENT.get(intent.name),
        extras={"backend": "rasa"},
    )


def _score(raw: dict[str, Any]) -> IntentScore:
    name = raw.get("name") or FALLBACK_INTENT
    return IntentScore(str(name), float(raw.get("confidence") or 0.0))


def _entity(raw: Any, text: str) -> Entity:
    if not isinstance(raw, dict) or not isinstance(raw.get("entity"), str):
        raise ValueError(f"bad entity {raw!r}")
    start, end = int(raw.get("start", 0)), int(raw.get("end", 0))
    confidence = raw.get("confidence_entity", raw.get("confidence"))
    return Entity(
        raw["entity"],
        start,
        end,
        raw.get("value"),
        text[start:end],
        str(raw.get("extractor") or "rasa"),
        1.0 if confidence is None else float(confidence),
    )


class RasaHttpUnderstanding:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout_s: float = 2.0,
        fallback: Understanding | None = None,
    ):
        self.url = url.rstrip("/") + "/model/parse"
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._fallback = fallback
        self._session: aiohttp.ClientSession | None = None

    async def parse(self, text: str) -> Parse:
        try:
            return await self._remote(text)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
            if self._fallback is None:
                raise RasaUnavailable(f"Rasa at {self.url} failed ({reason})") from exc
            log.warning("rasa parse failed (%s); using the built-in NLU", reason)
            parse = await self._fallback.parse(text)
            return replace(
                parse, extras={**parse.extras, "backend": "builtin-fallback", "rasa_error": reason}
            )

    async def _remote(self, text: str) -> Parse:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        params = {"token": self._token} if self._token else None
        async with self._session.post(self.url, json={"text": text}, params=params) as resp:
            if resp.status != 200:
                raise ValueError(f"HTTP {resp.status}")
            try:
                answer = await resp.json(content_type=None)
            except ValueError as exc:
                raise ValueError("answer is not JSON") from exc
        return parse_from_rasa(answer, text)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def build_understanding(
    nlu_config: NluBackendConfigLike, engine: NluEngine | None
) -> Understanding:
    """The configured backend: the engine itself, or Rasa with the engine as fallback."""
    if nlu_config.backend == "rasa":
        rasa = nlu_config.rasa
        if not rasa.url:
            raise ValueError("nlu.rasa.url is required when nlu.backend is rasa")
        fallback = engine if rasa.fallback_to_builtin else None
        return RasaHttpUnderstanding(rasa.url, rasa.token, rasa.timeout_s, fallback)
    if engine is None:
        raise ValueError("the builtin NLU backend needs a trained NluEngine")
    return engine
