"""Shared fixtures: a config on a temporary SQLite file, the app under aiohttp's test client,
and a guard that fails any test that tries to reach a non-loopback address."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config, config_from_mapping

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if isinstance(address, tuple):
        host = str(address[0])
        if not (host.startswith("127.") or host in {"::1", "localhost"}):
            raise OSError(f"test tried to reach {host}: only loopback is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@pytest.fixture(scope="session")
def shared_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One NLU model folder for the whole run: the model is trained once, then loaded
    (a model is only reused when its data, vocabulary and settings hash match)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def make_config(tmp_path: Path, shared_model_dir: Path) -> Callable[..., Config]:
    """Build a Config rooted at the repository, with its database in ``tmp_path``."""

    def factory(**sections: Any) -> Config:
        base: dict[str, Any] = {
            "storage": {"database_url": f"sqlite+aiosqlite:///{tmp_path}/hub.db"},
            "knowledge": {"catalogue": str(ROOT / "knowledge" / "catalogue")},
            "nlu": {"model_dir": str(shared_model_dir)},
        }
        return config_from_mapping(_merge(base, sections), "test-config", env={}, base_dir=ROOT)

    return factory


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()
