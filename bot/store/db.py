"""Engine and session factory for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)

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
        # Deleted rows are overwritten, not left in free space, so erased text is gone from
        # the file (and, after the checkpoint that follows an erasure, from the WAL).
        cursor.execute("PRAGMA secure_delete=ON")
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


# Set in a session's ``info`` by a change that erases a person's text (a deletion, the
# retention purge): the transaction's commit is then followed by a WAL checkpoint.
ERASED_TEXT = "erased_text"


def note_erased_text(session: Session) -> None:
    """Mark the session's transaction as one that erases text (see :func:`checkpoint_wal`)."""
    session.info[ERASED_TEXT] = True


def checkpoint_wal(engine: Engine) -> None:
    """On SQLite, copy the write-ahead log into the database file and empty it.

    Until a checkpoint, the -wal file keeps the pages as they were before a deletion, text and
    all; TRUNCATE leaves it empty. PostgreSQL keeps no such file for readers: a no-op there.
    """
    if engine.dialect.name != "sqlite":
        return
    # On the driver's connection: outside the transaction SQLAlchemy would begin (a checkpoint
    # cannot run inside one).
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        connection.close()
    if busy:
        # Readers kept it from finishing: the next erasure's checkpoint (or SQLite's own, when
        # the log fills) copies the rest.
        log.warning("the write-ahead log could not be emptied after an erasure")


def _checkpoint_if_erased(session: Session, engine: Engine) -> None:
    if session.info.pop(ERASED_TEXT, False):
        checkpoint_wal(engine)


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with factory() as session:
        with session.begin():
            yield session
        _checkpoint_if_erased(session, factory.kw["bind"])


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

    @property
    def erased_text(self) -> bool:
        """Did an effect erase text (``note_erased_text``) in this transaction?"""
        return self._session is not None and bool(self._session.info.get(ERASED_TEXT))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


@contextmanager
def message_transaction(engine: Engine) -> Iterator[MessageTransaction]:
    """A :class:`MessageTransaction`: committed on success, rolled back on any error."""
    erased = False
    with engine.begin() as connection:
        work = MessageTransaction(connection)
        try:
            yield work
            work.flush()
            erased = work.erased_text
        finally:
            work.close()
    if erased:
        checkpoint_wal(engine)
