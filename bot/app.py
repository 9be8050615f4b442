"""Composition root: the only module that wires config, stores, NLU, knowledge and channels."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web
from knowledge.base import KnowledgeBase

from bot.answer import CatalogueAnswerer
from bot.config import Config
from bot.coordination import Coordination, make_coordination
from bot.db import Database
from bot.hub import Hub
from bot.metrics import Metrics
from bot.policy import CataloguePolicy
from bot.records import SqlRecords
from bot.understanding import KnowledgeUnderstanding
from bot.web import error_middleware, health_routes, metrics_middleware
from channels import registry
from channels.base import Channel, ChannelContext

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

    async def start(self) -> None:
        await self.db.create_all()

    async def close(self) -> None:
        await self.coordination.close()
        await self.db.close()


def load_knowledge(config: Config) -> KnowledgeBase:
    kc = config.knowledge
    synonyms = config.resolve(kc.synonyms) if kc.synonyms else None
    return KnowledgeBase.load(config.resolve(kc.catalogue), kc.districts, synonyms)


def build_core(config: Config) -> Core:
    metrics = Metrics()
    db = Database(config.storage.database_url)
    coordination = make_coordination(config.storage.redis_url, config.storage.key_prefix)
    kb = load_knowledge(config)
    answerer = CatalogueAnswerer(kb, config.dialogue.max_reply_chars)
    policy = CataloguePolicy(KnowledgeUnderstanding(kb), answerer)
    hub = Hub(policy, coordination.locks, metrics)
    return Core(config, db, coordination, SqlRecords(db), kb, hub, metrics)


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
    checks = {"database": core.db.ping, "coordination": core.coordination.kv.ping}
    app.add_routes(health_routes(core.metrics, checks))
    for channel in app[CHANNELS_KEY]:
        app.add_routes(channel.routes())
    app.cleanup_ctx.append(_lifecycle)
    return app
