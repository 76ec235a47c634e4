"""The key that signs inbox cookies: from the environment, or a development key kept in var/."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from bot.inbox.auth import CookieSigner, load_secret_key
from bot.runtime.config import load_config


def test_the_environment_key_wins(tmp_path: Path) -> None:
    config = load_config(env={"BORGERCHAT_SECRET_KEY": "from-the-environment"})
    assert load_secret_key(config, tmp_path / "key") == b"from-the-environment"
    assert not (tmp_path / "key").exists()


def test_without_a_key_one_is_generated_once_private_and_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config(env={})
    key_file = tmp_path / "var" / "inbox_secret_key"
    with caplog.at_level(logging.WARNING):
        first = load_secret_key(config, key_file)
    assert "BORGERCHAT_SECRET_KEY is not set" in caplog.text
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_secret_key(config, key_file) == first  # sessions survive a restart
    assert [p.name for p in key_file.parent.iterdir()] == ["inbox_secret_key"]


def test_a_cookie_signed_with_another_key_is_refused() -> None:
    ours, theirs = CookieSigner(b"our key"), CookieSigner(b"their key")
    cookie = theirs.sign("token")
    assert ours.unsign(cookie) is None
    assert ours.unsign(ours.sign("token")) == "token"
    assert not ours.csrf_valid("token", theirs.csrf_token("token"))
