"""The CLI run from a directory outside the checkout keeps all its state in the data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.runtime.config import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the module, so the NLU model is trained once."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory with nothing of the checkout in it."""
    directory = tmp_path / "elsewhere"
    directory.mkdir()
    return directory


def borgerchat(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` with this checkout's code and none of the caller's settings."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BORGERCHAT_") and key != "DATABASE_URL"
    }
    clean["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_nlu_parse_trains_and_answers_from_another_directory(
    data_dir: Path, elsewhere: Path
) -> None:
    result = borgerchat(
        "--data-dir",
        str(data_dir),
        "nlu",
        "parse",
        cwd=elsewhere,
        stdin="hej\njeg vil ikke leve mere\n",
    )
    assert result.returncode == 0, result.stderr
    intents = [json.loads(line)["intent"]["name"] for line in result.stdout.splitlines()]
    assert intents == ["greet", "crisis"]
    assert (data_dir / "nlu" / "model.npz").is_file()
    assert list(elsewhere.iterdir()) == []


def test_chat_answers_on_stdin_from_another_directory(data_dir: Path, elsewhere: Path) -> None:
    env = {"BORGERCHAT_DATA_DIR": str(data_dir)}
    upgraded = borgerchat("db", "upgrade", cwd=elsewhere, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    result = borgerchat("chat", cwd=elsewhere, env=env, stdin="hej\n")
    assert result.returncode == 0, result.stderr
    answer = result.stdout.split("> ", 1)[1].strip()
    assert answer, result.stdout
    assert (data_dir / "borgerchat.db").is_file()
    assert list(elsewhere.iterdir()) == []


def test_a_config_file_given_with_config_is_used(data_dir: Path, elsewhere: Path) -> None:
    config = elsewhere / "site.yml"
    config.write_text("server:\n  port: not-a-port\n", encoding="utf-8")
    result = borgerchat("--config", "site.yml", "--data-dir", str(data_dir), "chat", cwd=elsewhere)
    assert result.returncode == 2
    assert "server.port" in result.stderr
