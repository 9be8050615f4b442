"""Composition root: the only module that wires config, stores, NLU, knowledge and channels."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.config import Config
from bot.coordination import Coordination, make_coordination
from bot.db import Database
from bot.dialogue import DialogueParts, build_dialogue
from bot.dialogue.core import Clock
from bot.dialogue_api import AdminTokenAuthorizer, ticket_routes
from bot.hub import Hub
from bot.metrics import Metrics
from bot.records import SqlRecords
from bot.tickets import utc_clock
from bot.understanding import KnowledgeUnderstanding
from bot.web import error_middleware, health_routes, metrics_middleware
from channels import registry
from channels.base import Channel, ChannelContext
from intents.cli import vocabulary_from_config
from intents.engine import NluEngine
from intents.http import parse_routes
from intents.rasa import build_understanding as build_nlu_backend
from intents.store import load_or_train
from intents.types import Understanding
from knowledge.base import KnowledgeBase

log = logging.getLogger("citizen_hub.app")


@dataclass
class Core:
    """Everything a conversation needs, with or without an HTTP server."""

    config: Config
    db: Database
    coordination: Coordination
    records: SqlRecords
    kb: KnowledgeBase
    hub: Hub
    metrics: Metrics
    dialogue: DialogueParts
    understanding: Understanding

    async def start(self) -> None:
        await self.db.create_all()

    async def close(self) -> None:
        close_understanding = getattr(self.understanding, "close", None)
        if close_understanding is not None:  # the Rasa backend's HTTP session
            await close_understanding()
        await self.coordination.close()
        await self.db.close()


def load_knowledge(config: Config) -> KnowledgeBase:
    kc = config.knowledge
    synonyms = config.resolve(kc.synonyms) if kc.synonyms else None
    return KnowledgeBase.load(config.resolve(kc.catalogue), kc.districts, synonyms)


def build_understanding(config: Config, kb: KnowledgeBase) -> Understanding:
    """The configured NLU backend over the built-in model (loaded, or trained when missing
    or stale). Without a model, the catalogue's aspect rules answer (builtin backend only)."""
    # The same vocabulary as `citizen-hub nlu train`, so a model trained there is reused here.
    vocabulary = vocabulary_from_config(config)
    try:
        engine: NluEngine | None = load_or_train(config.nlu, vocabulary, config.base_dir)
    except Exception:
        log.exception("NLU model unavailable")
        engine = None
    if engine is None and config.nlu.backend == "builtin":
        log.warning("answering with the catalogue's aspect rules (no NLU model)")
        return KnowledgeUnderstanding(kb)
    return build_nlu_backend(config.nlu, engine)


def build_core(config: Config, clock: Clock = utc_clock) -> Core:
    metrics = Metrics()
    db = Database(config.storage.database_url)
    coordination = make_coordination(config.storage.redis_url, config.storage.key_prefix)
    kb = load_knowledge(config)
    understanding = build_understanding(config, kb)
    dialogue = build_dialogue(config, db, coordination, kb, understanding, clock)
    hub = Hub(dialogue.policy, coordination.locks, metrics)
    records = SqlRecords(db)
    return Core(config, db, coordination, records, kb, hub, metrics, dialogue, understanding)


CORE_KEY = web.AppKey("core", Core)
CHANNELS_KEY = web.AppKey("channels", list[Channel])


def _build_channels(core: Core) -> list[Channel]:
    ctx = ChannelContext(
        config=core.config, handle=core.hub.handle, kv=core.coordination.kv, records=core.records
    )
    return [cls(ctx) for cls in registry().values() if cls.is_enabled(core.config)]


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    core = app[CORE_KEY]
    await core.start()
    for channel in app[CHANNELS_KEY]:
        await channel.start()
    log.info(
        "hub started: %d services, channels=%s, coordination=%s",
        len(core.kb.catalogue.services),
        ",".join(c.name for c in app[CHANNELS_KEY]),
        core.coordination.backend,
    )
    yield
    for channel in app[CHANNELS_KEY]:
        await channel.stop()
    await core.close()


def create_app(config: Config, core: Core | None = None) -> web.Application:
    core = core or build_core(config)
    app = web.Application(
        client_max_size=config.server.max_body_bytes,
        middlewares=[metrics_middleware(core.metrics), error_middleware],
    )
    app[CORE_KEY] = core
    app[CHANNELS_KEY] = _build_channels(core)
    checks: dict[str, Callable[[], Awaitable[bool]]] = {
        "database": core.db.ping,
        "coordination": core.coordination.kv.ping,
    }
    app.add_routes(health_routes(core.metrics, checks))
    app.add_routes(parse_routes(core.understanding, config.server.max_message_chars))
    tickets_auth = AdminTokenAuthorizer(config.server.admin_token)
    app.add_routes(ticket_routes(core.dialogue.tickets, tickets_auth))
    for channel in app[CHANNELS_KEY]:
        app.add_routes(channel.routes())
    app.cleanup_ctx.append(_lifecycle)
    return app
