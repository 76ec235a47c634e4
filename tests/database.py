"""Test databases: a SQLite file by default, a fresh PostgreSQL database when
``TEST_DATABASE_URL`` names a PostgreSQL server (each run gets its own database, so parallel
runs on one server never meet)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

import bot.store.models
from bot.store.db import create_db_engine, normalise_url


def test_database_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return normalise_url(url) if url else None


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of an empty database that is dropped afterwards."""
    server_url = test_database_url()
    if server_url is None or not server_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_dir / 'test.db'}"
        return
    name = f"borgerchat_test_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_engine(url: str) -> Engine:
    return create_db_engine(url, pool_size=20)


def empty_all_tables(engine: Engine) -> None:
    """Delete every row, keeping the schema (faster than re-migrating between tests)."""
    tables = list(reversed(bot.store.models.Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
