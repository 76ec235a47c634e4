"""Erased text is gone from the database files themselves: SQLite keeps neither a copy in its
write-ahead log nor the deleted bytes in free space."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.domain.citizen_data import delete_citizen, purge_expired
from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen
from tests.chat import ChatTester

SECRET_WORDS = "Xylofonia Kvartetsen"


def _database_files(services: Services) -> list[Path]:
    url = make_url(str(services.engine.url))
    if url.get_backend_name() != "sqlite" or not url.database:
        pytest.skip("the write-ahead log is SQLite's (PostgreSQL keeps no such file)")
    main = Path(url.database)
    return [path for path in (main, Path(f"{main}-wal")) if path.exists()]


def _files_hold(services: Services, words: str) -> bool:
    return any(words.encode() in path.read_bytes() for path in _database_files(services))


def _only_citizen(services: Services) -> int:
    with transaction(services.session_factory) as session:
        return session.scalars(select(Citizen.id)).one()


def test_a_deleted_citizen_s_words_are_in_no_database_file(
    chat: ChatTester, services: Services
) -> None:
    chat.say(f"Hej, jeg hedder {SECRET_WORDS}")
    assert _files_hold(services, SECRET_WORDS)  # the check can see stored text

    with transaction(services.session_factory) as session:
        delete_citizen(
            session, _only_citizen(services), services.clock.now(), services.booking_listeners
        )

    assert not _files_hold(services, SECRET_WORDS)


def test_text_past_retention_is_in_no_database_file_after_the_purge(
    chat: ChatTester, services: Services, clock: FixedClock
) -> None:
    chat.say(f"Hej, jeg hedder {SECRET_WORDS}")
    assert _files_hold(services, SECRET_WORDS)
    retention = services.config.settings.privacy.retention

    with transaction(services.session_factory) as session:
        purge_expired(session, clock.now() + timedelta(days=retention.messages + 1), retention)

    assert not _files_hold(services, SECRET_WORDS)
