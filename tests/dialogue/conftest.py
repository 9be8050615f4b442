"""Fixtures for dialogue tests: the real core (NLU, catalogue, SQLite, in-process stores) with a
settable clock, a small catalogue of our own, and helpers to talk to the hub."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import Core, build_core
from bot.config import Config
from bot.db import Base, Database
from bot.messages import InboundMessage, Reply
from tests.conftest import POSTGRES_URL

# A Monday, 10:00 in Shenzhen: inside the default service hours.
MONDAY_10AM = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SUNDAY_NIGHT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

TEST_CATALOGUE = """
services:
  - id: dog-license
    name: 犬只登记证办理
    aliases: [养犬登记, 狗证]
    department: 深圳市公安局治安管理支队
    category: 公安
    audience: [个人]
    conditions: [犬只已接种狂犬病疫苗, 养犬人为完全民事行为能力人]
    materials: [养犬人居民身份证, 犬只免疫证明, 犬只近照两张]
    process: [网上预约, 携犬到登记点植入芯片, 缴费领证]
    time_limit: 5
    fee: 100
    locations:
      - {name: 南山区犬只登记点, address: 南山区桃园路8号, district: 南山区,
         hours: 周一至周五 9:00-17:00, phone: 0755-11110001}
      - {name: 福田区犬只登记点, address: 福田区福华路3号, district: 福田区,
         hours: 周一至周五 9:00-17:00, phone: 0755-11110002}
    online_url: https://dog.example.gov.cn/apply
    phone: 0755-11110000
    legal_basis: [深圳市养犬管理条例]
    faq: []
  - id: library-card
    name: 图书馆读者证办理
    aliases: [借书证, 读者卡]
    department: 深圳图书馆
    category: 文化
    audience: [个人]
    conditions: [持有效身份证件]
    materials: [居民身份证或社保卡]
    process: [到馆或线上申请, 即时开通]
    time_limit: 即时办结
    fee: 0
    locations:
      - {name: 深圳图书馆, address: 福田区福中一路2001号, district: 福田区,
         hours: 周二至周日 9:00-21:00, phone: 0755-22220001}
    online_url: https://lib.example.gov.cn/card
    phone: 0755-22220000
    legal_basis: []
    faq: []
  - id: boat-berth
    name: 游艇泊位申请
    aliases: [游艇停泊]
    department: 深圳市交通运输局
    category: 交通
    audience: [个人, 企业]
    conditions: [游艇已登记]
    materials: [游艇登记证书, 申请表]
    process: [提交申请, 审核, 签订泊位协议]
    time_limit: 10
    fee: 按泊位收费
    locations:
      - {name: 大鹏新区游艇服务中心, address: 大鹏新区南澳街道1号, district: 大鹏新区,
         hours: 周一至周五 9:00-18:00, phone: 0755-33330001}
    online_url: null
    phone: 0755-33330000
    legal_basis: []
    faq: []
"""


class SettableClock:
    def __init__(self, moment: datetime = MONDAY_10AM) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


async def _admin_async(sql: str) -> None:
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _admin(sql: str) -> None:
    """Run one admin statement on its own loop (fixtures may already be inside one)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _admin_async(sql)).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own on the test PostgreSQL server, dropped at the end."""
    name = f"dialogue_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, empty database on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path}/dialogue.db"
    database = Database(url)
    await database.create_all()
    yield database
    if request.param == "postgres":
        async with database.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
    await database.close()


@pytest.fixture(scope="session")
def nlu_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model folder for the whole session: each catalogue's model is trained once."""
    return tmp_path_factory.mktemp("nlu-models")


@pytest.fixture
def dialogue_config(
    make_config: Callable[..., Config], nlu_model_dir: Path
) -> Callable[..., Config]:
    def factory(**sections: Any) -> Config:
        nlu = {"model_dir": str(nlu_model_dir), **sections.pop("nlu", {})}
        return make_config(nlu=nlu, **sections)

    return factory


@pytest.fixture
def own_catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "catalogue.yml"
    path.write_text(TEST_CATALOGUE, encoding="utf-8")
    return path


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
async def core(dialogue_config: Callable[..., Config], clock: SettableClock) -> AsyncIterator[Core]:
    """The real core on the shipped catalogue."""
    built = build_core(dialogue_config(), clock=clock)
    await built.start()
    yield built
    await built.close()


async def talk(core: Core, text: str, sender: str = "u1", channel: str = "webchat") -> list[Reply]:
    return await core.hub.handle(InboundMessage(channel, sender, text))


def plain(replies: list[Reply]) -> str:
    return "\n".join(r.as_plain_text() for r in replies)
