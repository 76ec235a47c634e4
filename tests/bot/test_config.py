"""Settings come from config.yml, env overrides them, and mistakes name their key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kernel.errors import ConfigError
from bot.runtime.config import DEFAULT_CONFIG_PATH, load_config


def test_the_shipped_config_loads_with_no_environment_at_all() -> None:
    config = load_config(env={})
    assert config.settings.server.port == 8000
    assert config.database_url == "sqlite:///var/borgerchat.db"
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
