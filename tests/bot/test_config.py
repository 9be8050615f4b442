from pathlib import Path

import pytest

from bot.config import ConfigError, config_from_mapping, load_config, substitute_env

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_config_loads_with_no_environment() -> None:
    config = load_config(ROOT / "config.yml", env={})
    assert config.storage.database_url == "sqlite+aiosqlite:///var/hub.db"
    assert config.storage.redis_url is None
    assert config.server.port == 8080
    assert config.channels.wechat.enabled is False


def test_env_substitution_with_default_and_value() -> None:
    data = {"storage": {"redis_url": "${REDIS_URL:-redis://127.0.0.1:6379/0}"}}
    assert config_from_mapping(data, env={}).storage.redis_url == "redis://127.0.0.1:6379/0"
    env = {"REDIS_URL": "redis://10.0.0.1:6379/2"}
    assert config_from_mapping(data, env=env).storage.redis_url == "redis://10.0.0.1:6379/2"


def test_missing_env_var_without_default_names_key_and_var() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_mapping({"channels": {"wechat": {"token": "${WX_TOKEN}"}}}, "c.yml", env={})
    assert "c.yml: channels.wechat.token: environment variable WX_TOKEN is not set" in str(
        err.value
    )


def test_unknown_key_is_rejected_with_its_path() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_mapping({"server": {"prot": 80}}, "config.yml", env={})
    assert "config.yml: server.prot: unknown key" in str(err.value)


def test_enabled_channel_requires_its_credentials() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_mapping({"channels": {"wechat": {"enabled": True}}}, "config.yml", env={})
    message = str(err.value)
    assert "config.yml: channels.wechat.token: field required" in message
    assert "channels.wechat.app_secret: field required" in message


def test_bad_value_type_names_the_key() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_mapping({"server": {"port": "eighty"}}, "config.yml", env={})
    assert str(err.value).startswith("config.yml: server.port:")


def test_rasa_backend_requires_url() -> None:
    with pytest.raises(ConfigError, match=r"nlu\.rasa\.url"):
        config_from_mapping({"nlu": {"backend": "rasa"}}, "config.yml", env={})


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    file = tmp_path / "config.yml"
    file.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(file, env={})


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "broken.yml"
    file.write_text("server: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.yml: not valid YAML"):
        load_config(file, env={})


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yml", env={})


def test_config_path_from_environment_variable(tmp_path: Path) -> None:
    file = tmp_path / "hub.yml"
    file.write_text("server:\n  port: 9090\n", encoding="utf-8")
    config = load_config(None, env={"CITIZEN_HUB_CONFIG": str(file)})
    assert config.server.port == 9090
    assert config.base_dir == tmp_path.resolve()


def test_relative_paths_resolve_against_config_folder(tmp_path: Path) -> None:
    file = tmp_path / "hub.yml"
    file.write_text("knowledge:\n  catalogue: cat\n", encoding="utf-8")
    config = load_config(file, env={})
    assert config.resolve(config.knowledge.catalogue) == tmp_path.resolve() / "cat"


def test_substitution_leaves_non_strings_alone() -> None:
    assert substitute_env({"a": [1, True, None]}, {}) == {"a": [1, True, None]}


def test_access_log_is_off_unless_configured() -> None:
    assert config_from_mapping({}, env={}).server.access_log is False
    assert config_from_mapping({"server": {"access_log": True}}, env={}).server.access_log is True
