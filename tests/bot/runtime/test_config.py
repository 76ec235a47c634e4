"""Settings come from config.yml, env overrides them, and mistakes name their key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kernel.errors import ConfigError
from bot.runtime.config import DEFAULT_CONFIG_PATH, REPO_ROOT, default_data_dir, load_config


def test_the_shipped_config_loads_with_no_environment_at_all() -> None:
    config = load_config(env={})
    assert config.settings.server.port == 8000
    assert config.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'borgerchat.db'}"
    assert config.settings.locale.timezone == "Europe/Copenhagen"
    assert config.secrets.telegram_bot_token is None


def test_an_env_var_overrides_a_nested_setting() -> None:
    config = load_config(
        env={
            "BORGERCHAT_SERVER__PUBLIC_URL": "https://chat.example-kommune.dk/",
            "BORGERCHAT_REMINDERS__QUIET_HOURS__START": "22:00",
        }
    )
    assert config.settings.server.public_url == "https://chat.example-kommune.dk"
    assert config.settings.reminders.quiet_hours.start == "22:00"


def test_database_url_comes_from_the_environment() -> None:
    config = load_config(env={"DATABASE_URL": "postgresql://postgres@127.0.0.1/test"})
    assert config.database_url == "postgresql://postgres@127.0.0.1/test"


def test_secrets_come_only_from_the_environment() -> None:
    config = load_config(env={"TELEGRAM_BOT_TOKEN": "123:abc", "TWILIO_AUTH_TOKEN": "t0k"})
    assert config.secrets.telegram_bot_token is not None
    assert config.secrets.telegram_bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(config)


def test_a_wrong_value_names_its_key() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env={"BORGERCHAT_SERVER__PORT": "eighty"})
    assert caught.value.key == "server.port"


def test_an_unknown_key_in_the_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text("server:\n  prot: 8000\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.key == "server.prot"
    assert caught.value.reason == "unknown setting"


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text("server:\n  port: [8000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path, env={})


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env={"BORGERCHAT_LOCALE__TIMEZONE": "Europe/Atlantis"})
    assert caught.value.key == "locale.timezone"


def test_the_shipped_config_mentions_every_section() -> None:
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    for section in ("server", "database", "nlu", "telegram", "twilio", "reminders", "privacy"):
        assert f"\n{section}:" in text


def test_a_bad_setting_stops_the_cli_with_one_line_and_exit_code_2() -> None:
    env = {**os.environ, "BORGERCHAT_SERVER__PORT": "not-a-port"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "server.port" in lines[0]
    assert "Traceback" not in result.stderr


def test_the_inbox_language_is_danish_unless_set_to_english() -> None:
    assert load_config(env={}).settings.locale.inbox_language == "da"
    english = load_config(env={"BORGERCHAT_LOCALE__INBOX_LANGUAGE": "en"})
    assert english.settings.locale.inbox_language == "en"
    with pytest.raises(ConfigError) as caught:
        load_config(env={"BORGERCHAT_LOCALE__INBOX_LANGUAGE": "de"})
    assert caught.value.key == "locale.inbox_language"


def test_the_built_in_defaults_are_the_shipped_config(tmp_path: Path) -> None:
    """An installed package has no config.yml: its defaults must be exactly the checkout's."""
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    shipped = load_config(DEFAULT_CONFIG_PATH, env={})
    built_in = load_config(empty, env={"BORGERCHAT_DATA_DIR": str(shipped.data_dir)})
    assert built_in.settings == shipped.settings


def test_state_lives_in_var_of_the_checkout_by_default() -> None:
    config = load_config(env={})
    assert config.data_dir == REPO_ROOT / "var"
    assert Path(config.settings.nlu.model_dir) == REPO_ROOT / "var" / "nlu"


def test_installed_the_state_goes_to_the_per_user_data_directory(tmp_path: Path) -> None:
    assert default_data_dir({"XDG_DATA_HOME": str(tmp_path)}, checkout=None) == (
        tmp_path / "borgerchat"
    )
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": "relative/is/ignored"}
    assert default_data_dir(home, checkout=None) == tmp_path / ".local/share/borgerchat"


def test_relative_paths_resolve_in_the_data_directory_not_the_working_one(
    tmp_path: Path,
) -> None:
    config = load_config(
        env={"BORGERCHAT_DATA_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///state/bot.db"}
    )
    assert config.data_dir == tmp_path
    assert Path(config.settings.nlu.model_dir) == tmp_path / "nlu"
    assert config.database_url == f"sqlite:///{tmp_path / 'state' / 'bot.db'}"
    assert config.settings.database.url == f"sqlite:///{tmp_path / 'borgerchat.db'}"
    for kept in ("sqlite:///:memory:", f"sqlite:///{tmp_path}/x.db", "postgresql://db/test"):
        assert load_config(env={"DATABASE_URL": kept}).database_url == kept


def test_a_data_dir_in_a_config_file_is_relative_to_that_file(tmp_path: Path) -> None:
    path = tmp_path / "site.yml"
    path.write_text("data_dir: state\nnlu:\n  model_dir: /models/nlu\n", encoding="utf-8")
    config = load_config(path, env={})
    assert config.data_dir == tmp_path / "state"
    assert config.settings.nlu.model_dir == "/models/nlu"


def test_the_config_file_comes_from_borgerchat_config(tmp_path: Path) -> None:
    path = tmp_path / "site.yml"
    path.write_text("server:\n  port: 8081\n", encoding="utf-8")
    assert load_config(env={"BORGERCHAT_CONFIG": str(path)}).settings.server.port == 8081
    with pytest.raises(ConfigError, match="file not found"):
        load_config(env={"BORGERCHAT_CONFIG": str(tmp_path / "missing.yml")})
