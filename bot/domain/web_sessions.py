"""Web chat sessions that end: after an idle time, or when the citizen ends the conversation.

A web chat key is the only thing that ties a browser to a citizen, so whoever holds it could
read the conversation (the next person at a library PC). Each key therefore lives only while it
is used: a key unused for ``idle`` (``webchat.session_idle_minutes``) or ended by the citizen
("Afslut samtale") is ended for good. An ended key gets nothing of the conversation again: its
channel identity is deleted, so it no longer names the citizen (a meeting asked about with it
is a new citizen's, who has none), and the web chat refuses it.

Activity is a message from the citizen, a message delivered to the page, and the page's polls
while a person is to answer (the conversation waits in the queue or a consultant has it): a
citizen waiting for a consultant is never cut off for waiting. A page left open with nothing
going on ends like a closed one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from bot.kernel.messages import Channel
from bot.store.db import for_each_dialect
from bot.store.models import ConversationStatus, WebSession
from bot.store.tables import CONVERSATIONS, IDENTITIES

# The last use is written at most this often: every message would otherwise cost an UPDATE.
ACTIVITY_RESOLUTION = timedelta(minutes=1)
_HELD_BY_A_PERSON = (ConversationStatus.WAITING.value, ConversationStatus.CONSULTANT.value)

# Plain statements on the caller's connection, built once: every web chat message checks its
# key, and an ORM session for it would cost more than the rest of the check.
SESSIONS: Table = WebSession.__table__  # type: ignore[assignment]
_WEB_IDENTITY = (
    IDENTITIES.c.channel == Channel.WEB.value,
    IDENTITIES.c.address == bindparam("key"),
)
_SESSION = select(SESSIONS.c.id, SESSIONS.c.last_active_at, SESSIONS.c.ended_at).where(
    SESSIONS.c.key == bindparam("key")
)
_IDENTITY_TIMES = select(IDENTITIES.c.created_at, IDENTITIES.c.last_seen_at).where(*_WEB_IDENTITY)
_INSERT_SESSION = for_each_dialect(
    lambda insert: insert(SESSIONS).on_conflict_do_nothing(index_elements=["key"])
)
_TOUCH = (
    update(SESSIONS)
    .where(SESSIONS.c.id == bindparam("row_id"))
    .values(last_active_at=bindparam("now"))
)
_END = (
    update(SESSIONS)
    .where(SESSIONS.c.id == bindparam("row_id"), SESSIONS.c.ended_at.is_(None))
    .values(ended_at=bindparam("now"))
)
_FORGET_IDENTITY = delete(IDENTITIES).where(*_WEB_IDENTITY)
_CITIZEN = select(IDENTITIES.c.citizen_id).where(*_WEB_IDENTITY)
_NEWEST_OPEN_STATUS = (
    select(CONVERSATIONS.c.status)
    .join(IDENTITIES, IDENTITIES.c.citizen_id == CONVERSATIONS.c.citizen_id)
    .where(*_WEB_IDENTITY, CONVERSATIONS.c.status != ConversationStatus.CLOSED.value)
    .order_by(CONVERSATIONS.c.id.desc())
    .limit(1)
)


class SessionRow(NamedTuple):
    id: int
    last_active_at: datetime
    ended_at: datetime | None


def _row(db: Connection, key: str) -> SessionRow | None:
    found = db.execute(_SESSION, {"key": key}).first()
    return None if found is None else SessionRow(*found)


class SessionState(StrEnum):
    LIVE = "live"
    ENDED = "ended"  # ended by the citizen or idle too long: refused for good
    UNKNOWN = "unknown"  # never used: nothing to serve


def _find(db: Connection, key: str) -> SessionRow | None:
    """The key's row; a key with a web identity but no row yet (one in use before sessions
    ended, or given to the pipeline without the web chat's API) gets one from its identity's
    last use, as the migration gave the keys of its day."""
    row = _row(db, key)
    if row is not None:
        return row
    identity = db.execute(_IDENTITY_TIMES, {"key": key}).first()
    if identity is None:
        return None
    _insert(db, key, created_at=identity.created_at, last_active_at=identity.last_seen_at)
    return _row(db, key)


def _insert(db: Connection, key: str, *, created_at: datetime, last_active_at: datetime) -> None:
    # A concurrent first use may insert it first: either way one row.
    db.execute(
        _INSERT_SESSION[db.dialect.name],
        {"key": key, "created_at": created_at, "last_active_at": last_active_at},
    )


def _alive(db: Connection, key: str, row: SessionRow, now: datetime, idle: timedelta) -> bool:
    """False for an ended row; a row idle for ``idle`` is ended here and now."""
    if row.ended_at is not None:
        return False
    if now - row.last_active_at >= idle:
        _end(db, key, row.id, now)
        return False
    return True


def _end(db: Connection, key: str, row_id: int, now: datetime) -> None:
    db.execute(_END, {"row_id": row_id, "now": now})
    db.execute(_FORGET_IDENTITY, {"key": key})


def admit_message(db: Connection, key: str, now: datetime, idle: timedelta) -> bool:
    """Whether a message the citizen sends with ``key`` may be handled: True for a live key (the
    use recorded) and a new one (registered), False for an ended or idle one."""
    row = _find(db, key)
    if row is None:
        _insert(db, key, created_at=now, last_active_at=now)
        return True
    if not _alive(db, key, row, now, idle):
        return False
    if now - row.last_active_at >= ACTIVITY_RESOLUTION:
        db.execute(_TOUCH, {"row_id": row.id, "now": now})
    return True


def poll_state(db: Connection, key: str, now: datetime, idle: timedelta) -> SessionState:
    """What a page polling with ``key`` may see; an idle key is ended here."""
    row = _find(db, key)
    if row is None:
        return SessionState.UNKNOWN
    return SessionState.LIVE if _alive(db, key, row, now, idle) else SessionState.ENDED


def record_poll(db: Connection, key: str, now: datetime, *, delivered: bool) -> None:
    """A live key's poll: activity when it delivered something or a person is to answer."""
    row = _row(db, key)
    if row is None or row.ended_at is not None:
        return
    if now - row.last_active_at < ACTIVITY_RESOLUTION:
        return
    if delivered or db.scalar(_NEWEST_OPEN_STATUS, {"key": key}) in _HELD_BY_A_PERSON:
        db.execute(_TOUCH, {"row_id": row.id, "now": now})


def end_session(db: Connection, key: str, now: datetime) -> None:
    """End ``key`` for good ("Afslut samtale"); an unknown key is recorded as ended, so it can
    never start a conversation either."""
    row = _find(db, key)
    if row is None:
        _insert(db, key, created_at=now, last_active_at=now)
        row = _row(db, key)
        assert row is not None
    _end(db, key, row.id, now)


def session_citizen(db: Connection, key: str) -> int | None:
    """The citizen a live key names (None once it ended)."""
    citizen_id: int | None = db.scalar(_CITIZEN, {"key": key})
    return citizen_id
