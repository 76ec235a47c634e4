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

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.kernel.messages import Channel
from bot.store.db import for_each_dialect
from bot.store.models import ChannelIdentity, Conversation, ConversationStatus, WebSession

# The last use is written at most this often: every message would otherwise cost an UPDATE.
ACTIVITY_RESOLUTION = timedelta(minutes=1)
_HELD_BY_A_PERSON = (ConversationStatus.WAITING.value, ConversationStatus.CONSULTANT.value)
_INSERT_SESSION = for_each_dialect(
    lambda insert: insert(WebSession.__table__).on_conflict_do_nothing(index_elements=["key"])
)


class SessionState(StrEnum):
    LIVE = "live"
    ENDED = "ended"  # ended by the citizen or idle too long: refused for good
    UNKNOWN = "unknown"  # never used: nothing to serve


def _find(db: Session, key: str) -> WebSession | None:
    """The key's row; a key with a web identity but no row yet (one in use before sessions
    ended, or given to the pipeline without the web chat's API) gets one from its identity's
    last use, as the migration gave the keys of its day."""
    row = db.scalars(select(WebSession).where(WebSession.key == key)).one_or_none()
    if row is not None:
        return row
    identity = db.execute(
        select(ChannelIdentity.created_at, ChannelIdentity.last_seen_at).where(
            ChannelIdentity.channel == Channel.WEB.value, ChannelIdentity.address == key
        )
    ).first()
    if identity is None:
        return None
    _insert(db, key, created_at=identity.created_at, last_active_at=identity.last_seen_at)
    return db.scalars(select(WebSession).where(WebSession.key == key)).one()


def _insert(db: Session, key: str, *, created_at: datetime, last_active_at: datetime) -> None:
    # A concurrent first use may insert it first: either way one row.
    db.execute(
        _INSERT_SESSION[db.get_bind().dialect.name],
        {"key": key, "created_at": created_at, "last_active_at": last_active_at},
    )


def _alive(db: Session, row: WebSession, now: datetime, idle: timedelta) -> bool:
    """False for an ended row; a row idle for ``idle`` is ended here and now."""
    if row.ended_at is not None:
        return False
    if now - row.last_active_at >= idle:
        _end(db, row, now)
        return False
    return True


def _end(db: Session, row: WebSession, now: datetime) -> None:
    row.ended_at = now
    db.execute(
        delete(ChannelIdentity).where(
            ChannelIdentity.channel == Channel.WEB.value, ChannelIdentity.address == row.key
        )
    )


def _touch(row: WebSession, now: datetime) -> None:
    if now - row.last_active_at >= ACTIVITY_RESOLUTION:
        row.last_active_at = now


def admit_message(db: Session, key: str, now: datetime, idle: timedelta) -> bool:
    """Whether a message the citizen sends with ``key`` may be handled: True for a live key (the
    use recorded) and a new one (registered), False for an ended or idle one."""
    row = _find(db, key)
    if row is None:
        _insert(db, key, created_at=now, last_active_at=now)
        return True
    if not _alive(db, row, now, idle):
        return False
    _touch(row, now)
    return True


def poll_state(db: Session, key: str, now: datetime, idle: timedelta) -> SessionState:
    """What a page polling with ``key`` may see; an idle key is ended here."""
    row = _find(db, key)
    if row is None:
        return SessionState.UNKNOWN
    return SessionState.LIVE if _alive(db, row, now, idle) else SessionState.ENDED


def record_poll(db: Session, key: str, now: datetime, *, delivered: bool) -> None:
    """A live key's poll: activity when it delivered something or a person is to answer."""
    row = _find(db, key)
    if row is None or row.ended_at is not None:
        return
    if now - row.last_active_at < ACTIVITY_RESOLUTION:
        return
    if delivered or _held_by_a_person(db, key):
        row.last_active_at = now


def _held_by_a_person(db: Session, key: str) -> bool:
    status = db.scalar(
        select(Conversation.status)
        .join(ChannelIdentity, ChannelIdentity.citizen_id == Conversation.citizen_id)
        .where(
            ChannelIdentity.channel == Channel.WEB.value,
            ChannelIdentity.address == key,
            Conversation.status != ConversationStatus.CLOSED.value,
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    return status in _HELD_BY_A_PERSON


def end_session(db: Session, key: str, now: datetime) -> None:
    """End ``key`` for good ("Afslut samtale"); an unknown key is recorded as ended, so it can
    never start a conversation either."""
    row = _find(db, key)
    if row is None:
        row = WebSession(key=key, created_at=now, last_active_at=now)
        db.add(row)
    if row.ended_at is None:
        _end(db, row, now)
    db.flush()


def session_citizen(db: Session, key: str) -> int | None:
    """The citizen a live key names (None once it ended)."""
    return db.scalar(
        select(ChannelIdentity.citizen_id).where(
            ChannelIdentity.channel == Channel.WEB.value, ChannelIdentity.address == key
        )
    )
