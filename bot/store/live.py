"""A process-wide signal that the database changed, fed across server processes.

The inbox and the web chat push what changed to the browser (Server-Sent Events); each open
stream waits on this feed and re-reads what it shows when it fires. The feed only says
"something was committed": what changed is read again by each stream, so a missed or extra
signal costs one query, never a wrong page.

Sources, in every process:

- this process's own commits: a connection that wrote (INSERT, UPDATE, DELETE) and committed
  signals when it goes back to the pool, that is after the commit;
- PostgreSQL: each process LISTENs on one channel and NOTIFYs it after its own commits, so a
  reply written by one server process wakes the streams of all the others;
- SQLite: one poller thread per process reads ``PRAGMA data_version`` (a counter SQLite bumps
  when another connection commits) every ``poll_seconds``; an in-memory database is one
  process's only, so its own commits are enough.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import weakref
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

CHANNEL = "borgerchat_live"
_WROTE = "live_wrote"
_COMMITTED = "live_committed"


class _EngineCommits:
    """Marks the connections of one engine that wrote and committed, and tells every feed on
    that engine once such a connection goes back to the pool. One set of listeners per engine,
    so that two feeds on one engine (tests, a second app in one process) both hear a commit."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # the registry's key: no strong reference back
        # Weak, so a feed nobody closed does not keep itself and its engine alive.
        self.feeds: weakref.WeakSet[ChangeFeed] = weakref.WeakSet()
        self._listeners: list[tuple[str, Any]] = [
            ("after_cursor_execute", self._after_execute),
            ("commit", self._on_commit),
            ("rollback", self._on_rollback),
            ("checkin", self._on_checkin),
        ]
        for name, listener in self._listeners:
            event.listen(engine, name, listener)

    def detach(self) -> None:
        engine = self._engine()
        if engine is None:
            return
        for name, listener in self._listeners:
            if event.contains(engine, name, listener):
                event.remove(engine, name, listener)

    @staticmethod
    def _after_execute(conn: Any, _c: Any, _s: Any, _p: Any, context: Any, _m: Any) -> None:
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            conn.info[_WROTE] = True

    @staticmethod
    def _on_commit(conn: Any) -> None:
        if conn.info.pop(_WROTE, False):
            conn.info[_COMMITTED] = True

    @staticmethod
    def _on_rollback(conn: Any) -> None:
        conn.info.pop(_WROTE, None)

    def _on_checkin(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            for feed in list(self.feeds):
                feed.committed_here()


_HOOKS: weakref.WeakKeyDictionary[Engine, _EngineCommits] = weakref.WeakKeyDictionary()
_HOOKS_LOCK = threading.Lock()


def _attach(feed: ChangeFeed, engine: Engine) -> None:
    with _HOOKS_LOCK:
        hooks = _HOOKS.get(engine)
        if hooks is None:
            hooks = _HOOKS[engine] = _EngineCommits(engine)
        hooks.feeds.add(feed)


def _detach(feed: ChangeFeed, engine: Engine) -> None:
    with _HOOKS_LOCK:
        hooks = _HOOKS.get(engine)
        if hooks is None or feed not in hooks.feeds:
            return
        hooks.feeds.discard(feed)
        if not hooks.feeds:
            hooks.detach()
            del _HOOKS[engine]


class ChangeFeed:
    """Wakes waiters in the app's event loop when the database changed (``name``: a worker)."""

    name = "live-feed"

    def __init__(self, engine: Engine, *, poll_seconds: float = 0.1) -> None:
        self._engine = engine
        self._poll_seconds = poll_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self.version = 0
        self._stopping = threading.Event()
        self._notify_wanted = threading.Event()
        self._threads: list[threading.Thread] = []
        _attach(self, engine)

    def committed_here(self) -> None:
        """A connection of this process wrote and committed (from any thread)."""
        self.changed()
        self._notify_wanted.set()

    # -- waking the loop ------------------------------------------------------------------

    def changed(self) -> None:
        """Something was committed (from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self.version += 1
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        self.version += 1
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    async def wait(self, seen: int, timeout: float) -> int:
        """The version once it is past ``seen``, or after ``timeout`` seconds whatever it is."""
        if self.version != seen:
            return self.version
        if self._event is None:
            self._event = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        return self.version

    # -- the other processes --------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._stopping.clear()
        backend = self._engine.url.get_backend_name()
        if backend == "postgresql":
            self._spawn(self._listen_postgres)
            self._spawn(self._notify_postgres)
        elif backend == "sqlite" and self._sqlite_file() is not None:
            self._spawn(self._poll_sqlite)

    async def stop(self) -> None:
        self._stopping.set()
        self._notify_wanted.set()
        for thread in self._threads:
            await asyncio.to_thread(thread.join, 5)
        self._threads.clear()
        self._loop = None

    def close(self) -> None:
        """Detach from the engine (a test builds many feeds on one engine)."""
        _detach(self, self._engine)

    def _spawn(self, target: Any) -> None:
        thread = threading.Thread(target=target, name=f"{self.name}-{target.__name__}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _sqlite_file(self) -> str | None:
        database = self._engine.url.database
        if not database or database == ":memory:" or "mode=memory" in database:
            return None
        return database

    def _poll_sqlite(self) -> None:
        path = self._sqlite_file()
        assert path is not None
        uri = path.startswith("file:")
        connection = sqlite3.connect(path, uri=uri, check_same_thread=False)
        try:
            last = connection.execute("PRAGMA data_version").fetchone()[0]
            while not self._stopping.wait(self._poll_seconds):
                now = connection.execute("PRAGMA data_version").fetchone()[0]
                if now != last:
                    last = now
                    self.changed()
        except sqlite3.Error:
            log.exception("the SQLite change poller stopped; pages fall back to polling")
        finally:
            connection.close()

    def _postgres_url(self) -> str:
        return self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _listen_postgres(self) -> None:
        import psycopg

        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._postgres_url(), autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.changed()  # whatever happened while not listening
                    while not self._stopping.is_set():
                        for _ in connection.notifies(timeout=1.0, stop_after=1):
                            self.changed()
            except psycopg.Error:
                log.warning("LISTEN %s lost; reconnecting", CHANNEL)
                self._stopping.wait(1.0)

    def _notify_postgres(self) -> None:
        import psycopg

        connection: psycopg.Connection[Any] | None = None
        try:
            while True:
                self._notify_wanted.wait()
                if self._stopping.is_set():
                    return
                self._notify_wanted.clear()
                try:
                    if connection is None or connection.closed:
                        connection = psycopg.connect(self._postgres_url(), autocommit=True)
                    connection.execute(f"NOTIFY {CHANNEL}")
                except psycopg.Error:
                    log.warning("NOTIFY %s failed; other processes catch up on the next", CHANNEL)
                    connection = None
                    self._stopping.wait(0.5)
        finally:
            if connection is not None:
                connection.close()
