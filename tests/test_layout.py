"""The house's rules that no linter states: small modules, and no generated files in git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "nlu", "integrations")
# A module over this many lines has more than one job: split it by what it does.
MAX_MODULE_LINES = 400


def _tracked_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return listed.stdout.splitlines()


def test_every_module_of_the_four_packages_is_small() -> None:
    too_long = {
        str(path.relative_to(REPO)): lines
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_cache_or_generated_state_is_tracked() -> None:
    generated = [
        name
        for name in _tracked_files()
        if name.startswith((".rasa/", "var/", "bench/results/")) or "/__pycache__/" in name
    ]
    assert generated == []
