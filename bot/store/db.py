"""Engine and session factory for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]
# Where a read runs: an ORM session, or a plain connection (both have execute, scalar, scalars).
Database = Session | Connection

# A pooled PostgreSQL connection idle longer than this is pinged before use (a restarted server
# or a dropped connection is then replaced, not handed to a request); one used more recently is
# trusted, which saves a round trip on every transaction under load.
PING_AFTER_IDLE_SECONDS = 5.0


def normalise_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to the psycopg 3 driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def create_db_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """Create an engine; for a SQLite file, create its folder and serialise writers.

    Database errors never show their parameters (``hide_parameters``): a failed INSERT would
    otherwise put a citizen's message in the error log.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(
        url, echo=echo, hide_parameters=True, pool_size=pool_size, max_overflow=pool_size
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """``pool_pre_ping`` for connections that sat idle only (see PING_AFTER_IDLE_SECONDS)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()  # end the transaction the ping opened
        except Exception as exc:
            # The pool replaces the connection and tries again.
            raise DisconnectionError("an idle database connection was dropped") from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE takes the write lock up front: two requests that read-then-write the
        # same conversation wait for each other instead of failing with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


def for_each_dialect(make: Callable[[Any], Any]) -> dict[str, Any]:
    """A statement written once per dialect (``INSERT ... ON CONFLICT``): ``make(insert)`` with
    each supported dialect's ``insert``, by dialect name (``connection.dialect.name``)."""
    return {"postgresql": make(postgresql_insert), "sqlite": make(sqlite_insert)}


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


class MessageTransaction:
    """One transaction on one connection, with an ORM session on that connection made only
    when something asks for it.

    The message pipeline reads and writes plain rows on :attr:`connection`; only effects, a
    redelivery's replay and a reminder's details need the ORM. A session costs more CPU than
    most of a message's statements (made, begun, flushed, committed and closed), so ordinary
    messages never make one.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            # Joins the connection's transaction: the commit (or rollback) stays ours.
            self._session = Session(
                bind=self.connection,
                join_transaction_mode="rollback_only",
                expire_on_commit=False,
            )
        return self._session

    def flush(self) -> None:
        """Write what the ORM session holds, if there is one."""
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


@contextmanager
def message_transaction(engine: Engine) -> Iterator[MessageTransaction]:
    """A :class:`MessageTransaction`: committed on success, rolled back on any error."""
    with engine.begin() as connection:
        work = MessageTransaction(connection)
        try:
            yield work
            work.flush()
        finally:
            work.close()
