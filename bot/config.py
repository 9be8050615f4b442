"""The one config file: pydantic models, ``${VAR}`` substitution, errors that name the key.

Loaded once at start-up. ``load_config`` raises ``ConfigError`` whose message names the file
and every bad key path (``config.yml: channels.wechat.token: field required``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from intents.places import SHENZHEN_DISTRICTS

DEFAULT_CONFIG_PATH = "config.yml"
CONFIG_ENV = "CITIZEN_HUB_CONFIG"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """The config file is unreadable or invalid; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _require(section: BaseModel, *names: str) -> None:
    """Raise for each named field that is empty while the section is enabled."""
    missing = [n for n in names if not getattr(section, n)]
    if missing:
        raise ValueError("; ".join(f"{n}: field required (enabled is true)" for n in missing))


class ServerConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8080"
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    max_message_chars: int = Field(2000, ge=10)
    admin_token: str | None = None
    # aiohttp's per-request access log line (off: the hub logs one line per message already).
    access_log: bool = False


class StorageConfig(_Section):
    database_url: str = "sqlite+aiosqlite:///var/hub.db"
    redis_url: str | None = None
    key_prefix: str = "citizen-hub:"


class KnowledgeConfig(_Section):
    catalogue: Path = Path("knowledge/catalogue")
    synonyms: Path | None = None
    districts: tuple[str, ...] = SHENZHEN_DISTRICTS
    city: str = "深圳市"


class RasaConfig(_Section):
    url: str | None = None
    token: str | None = None
    timeout_s: float = Field(2.0, gt=0)
    fallback_to_builtin: bool = True


class NluConfig(_Section):
    backend: Literal["builtin", "rasa"] = "builtin"
    data: Path | None = None
    model_dir: Path = Path("var/models")
    fallback_threshold: float = Field(0.35, ge=0, le=1)
    case_no_pattern: str = r"[A-Za-z]{2}\d{14}"
    rasa: RasaConfig = RasaConfig()

    @model_validator(mode="after")
    def _rasa_needs_url(self) -> NluConfig:
        if self.backend == "rasa" and not self.rasa.url:
            raise ValueError("rasa.url: required when backend is rasa")
        return self


class DialogueConfig(_Section):
    session_ttl_s: int = Field(1800, ge=60)
    clarify_margin: float = Field(0.12, ge=0, le=1)
    max_reply_chars: int = Field(300, ge=70)
    verification_attempts: int = Field(3, ge=1)
    verification_lock_s: int = Field(900, ge=1)
    service_hours: str = Field("09:00-18:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    # ISO weekdays (1 = Monday) on which human agents work.
    service_days: tuple[Annotated[int, Field(ge=1, le=7)], ...] = (1, 2, 3, 4, 5)
    timezone: str = "Asia/Shanghai"
    # Service ids offered when the bot did not understand (default: one per category).
    popular_services: tuple[str, ...] = ()
    # An agent counts as online this long after its last heartbeat.
    agent_presence_ttl_s: float = Field(60.0, gt=0)


class WebchatConfig(_Section):
    enabled: bool = True
    allowed_origins: tuple[str, ...] = ("*",)


class WechatConfig(_Section):
    enabled: bool = False
    token: str | None = None
    app_id: str | None = None
    app_secret: str | None = None
    encoding_aes_key: str | None = None
    api_base: str = "https://api.weixin.qq.com"
    passive_timeout_s: float = Field(4.0, gt=0, lt=5)
    menu: dict[str, str] = Field(default_factory=dict)
    api_timeout_s: float = Field(5.0, gt=0)
    dedupe_ttl_s: float = Field(300.0, ge=30)

    @model_validator(mode="after")
    def _enabled_needs_credentials(self) -> WechatConfig:
        if self.enabled:
            _require(self, "token", "app_id", "app_secret")
        if self.encoding_aes_key is not None and self.encoding_aes_key:
            if len(self.encoding_aes_key) != 43:
                raise ValueError("encoding_aes_key: must be 43 characters")
        return self


class SmsConfig(_Section):
    enabled: bool = False
    provider: Literal["twilio"] = "twilio"
    account_sid: str | None = None
    auth_token: str | None = None
    from_number: str | None = None
    api_base: str = "https://api.twilio.com"
    max_segment_chars: int = Field(300, ge=70)
    max_segments: int = Field(5, ge=1, le=10)
    dedupe_ttl_s: int = Field(3600, ge=60)

    @model_validator(mode="after")
    def _enabled_needs_credentials(self) -> SmsConfig:
        if self.enabled:
            _require(self, "account_sid", "auth_token", "from_number")
        return self


class CallcenterConfig(_Section):
    enabled: bool = False
    api_token: str | None = None


class ChannelsConfig(_Section):
    webchat: WebchatConfig = WebchatConfig()
    wechat: WechatConfig = WechatConfig()
    sms: SmsConfig = SmsConfig()
    callcenter: CallcenterConfig = CallcenterConfig()


class QuietHours(_Section):
    start: str = "22:00"
    end: str = "08:00"


class PushConfig(_Section):
    enabled: bool = True
    quiet_hours: QuietHours = QuietHours()
    max_attempts: int = Field(5, ge=1)
    rate_per_second: float = Field(50.0, gt=0)
    callback_secret: str | None = None


class LoggingConfig(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_logs: bool = False


class Config(_Section):
    server: ServerConfig = ServerConfig()
    storage: StorageConfig = StorageConfig()
    knowledge: KnowledgeConfig = KnowledgeConfig()
    nlu: NluConfig = NluConfig()
    dialogue: DialogueConfig = DialogueConfig()
    channels: ChannelsConfig = ChannelsConfig()
    push: PushConfig = PushConfig()
    logging: LoggingConfig = LoggingConfig()
    base_dir: Path = Path(".")

    def resolve(self, path: Path) -> Path:
        """Relative paths in the config are relative to the config file's folder."""
        return path if path.is_absolute() else self.base_dir / path


def substitute_env(value: Any, env: dict[str, str], path: str = "") -> Any:
    """Replace ``${VAR}`` / ``${VAR:-default}`` in every string of a parsed YAML tree."""
    if isinstance(value, dict):
        return {
            k: substitute_env(v, env, f"{path}.{k}" if path else str(k)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [substitute_env(v, env, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise ConfigError(f"{path}: environment variable {name} is not set")

    replaced = _VAR.sub(replace, value)
    if replaced == "" and _VAR.fullmatch(value):
        return None  # ${VAR:-} means "unset": let the field default or be None
    return replaced


def _format_validation_error(source: str, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"])
        msg = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            msg = "field required"
        elif item["type"] == "extra_forbidden":
            msg = "unknown key"
        # Section validators report "key: problem; key2: problem" for keys inside the section.
        for part in msg.split("; "):
            key, sep, rest = part.partition(": ")
            if sep and re.fullmatch(r"[a-z_.]+", key):
                full = f"{loc}.{key}" if loc else key
                lines.append(f"{source}: {full}: {rest}")
            else:
                lines.append(f"{source}: {loc}: {part}" if loc else f"{source}: {part}")
    return "\n".join(lines)


def config_from_mapping(
    data: Any,
    source: str = "<config>",
    env: dict[str, str] | None = None,
    base_dir: Path = Path("."),
) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: top level must be a mapping of sections")
    try:
        data = substitute_env(data, dict(os.environ) if env is None else env)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    data = {k: v for k, v in data.items() if v is not None}
    try:
        return Config.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(source, exc)) from None


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Load ``path``, else ``$CITIZEN_HUB_CONFIG``, else ``./config.yml`` (defaults if absent)."""
    environ = dict(os.environ) if env is None else env
    explicit = path is not None or CONFIG_ENV in environ
    file = Path(path or environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)
    if not file.exists():
        if explicit:
            raise ConfigError(f"{file}: config file not found")
        return config_from_mapping({}, str(file), environ)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from None
    return config_from_mapping(data, str(file), environ, base_dir=file.resolve().parent)
