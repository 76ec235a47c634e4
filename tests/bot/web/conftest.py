"""The web app's tests log in to the inbox too: the inbox tests' settings and fixtures."""

from __future__ import annotations

from tests.bot.inbox.conftest import (  # noqa: F401 (fixtures)
    app_config,
    cheap_password_hashes,
    inbox,
    inbox_factory,
    make_consultant,
)
from tests.bot.inbox.test_browser import browser, live_server  # noqa: F401 (fixtures)
