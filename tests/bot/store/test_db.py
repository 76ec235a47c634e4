"""The database engine: a dropped PostgreSQL connection is replaced before a request meets it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError

import bot.store.db
from bot.services import Services
from bot.store.db import create_db_engine
from bot.store.models import Message


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_dropped_while_idle_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL connections only: SQLite has no server to drop them")
    monkeypatch.setattr(bot.store.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = create_db_engine(database_url, pool_size=1)
    admin = create_db_engine(database_url, pool_size=1)
    try:
        dropped = _backend_pid(engine)
        with admin.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        # The pooled connection is dead; the checkout ping notices and the pool reconnects.
        assert _backend_pid(engine) != dropped
    finally:
        engine.dispose()
        admin.dispose()


def test_a_database_error_never_shows_what_the_citizen_wrote(services: Services) -> None:
    """A failed write goes to the log with its statement, never with its values."""
    secret = "jeg har det rigtig skidt i dag"
    row = {
        "conversation_id": 999_999,  # no such conversation: the write fails
        "citizen_id": 999_999,
        "direction": "in",
        "sender": "citizen",
        "channel": "web",
        "address": "someone",
        "text": secret,
        "choices": [],
        "status": "received",
        "attempts": 0,
    }
    with pytest.raises(IntegrityError) as failure, services.engine.begin() as connection:
        connection.execute(insert(Message), row)
    assert secret not in str(failure.value)
