"""The consultant queue: waiting conversations, claiming, replying, notes, hand-back, closing.

Who sees which conversation is :mod:`bot.inbox.scope`'s rule: a first-time citizen belongs to
no team until a consultant claims their waiting chat, and the claim puts the citizen in the
claimer's team.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from bot.inbox import scope
from bot.inbox.auth import Viewer
from bot.inbox.notices import queue_message
from bot.inbox.reply_length import check_reply_length
from bot.inbox.scope import Scope
from bot.kernel.errors import InboxError, InvalidMessage
from bot.kernel.text import clean_text
from bot.store.models import (
    CannedReply,
    Citizen,
    Conversation,
    ConversationStatus,
    InternalNote,
    Message,
    QueueWait,
    Sender,
)
from flows.content import Content


@dataclass(frozen=True, slots=True)
class QueueItem:
    conversation: Conversation
    citizen: Citizen
    last_message: str | None


def _items(db: Session, query: Select[Conversation, Citizen]) -> list[QueueItem]:
    rows = db.execute(query).all()
    ids = [conversation.id for conversation, _ in rows]
    # One query for every row's latest citizen message, not one per row (the page polls).
    latest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(ids), Message.direction == "in")
        .group_by(Message.conversation_id)
    )
    texts: dict[int, str | None] = {}
    for conversation_id, text in db.execute(
        select(Message.conversation_id, Message.text).where(Message.id.in_(latest))
    ):
        texts[conversation_id] = text
    return [QueueItem(c, citizen, texts.get(c.id)) for c, citizen in rows]


def waiting_queue(
    db: Session, viewer: Viewer, limit: int = 100, where: Sequence[ColumnElement[bool]] = ()
) -> list[QueueItem]:
    """Waiting conversations, crisis (highest priority) first, then the longest waiting;
    ``where``: a filter's conditions on the conversation and citizen (bot/inbox/finding.py)."""
    query = (
        select(Conversation, Citizen)
        .join(Citizen, Citizen.id == Conversation.citizen_id)
        .where(
            Conversation.status == ConversationStatus.WAITING.value,
            Scope.changing(viewer).conversations(),
            *where,
        )
        .order_by(
            Conversation.priority.desc(),
            Conversation.waiting_since.asc(),
            Conversation.id.asc(),
        )
        .limit(limit)
    )
    return _items(db, query)


def held_by(db: Session, viewer: Viewer) -> list[QueueItem]:
    query = (
        select(Conversation, Citizen)
        .join(Citizen, Citizen.id == Conversation.citizen_id)
        .where(
            Conversation.status == ConversationStatus.CONSULTANT.value,
            Conversation.assigned_consultant_id == viewer.id,
        )
        .order_by(Conversation.updated_at.desc())
    )
    return _items(db, query)


def visible_citizen(db: Session, within: Scope, citizen_id: int) -> Citizen:
    citizen = scope.find(db, Citizen, citizen_id, within.citizens())
    if citizen is None:
        raise InboxError("errors.citizen_not_found")
    return citizen


def visible_conversation(db: Session, within: Scope, conversation_id: int) -> Conversation:
    conversation = scope.find(db, Conversation, conversation_id, within.conversations())
    if conversation is None:
        raise InboxError("errors.conversation_not_found")
    return conversation


def transcript(db: Session, conversation_id: int) -> list[Message]:
    return list(
        db.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at, Message.id)
        )
    )


def claim(db: Session, viewer: Viewer, conversation_id: int, now: datetime) -> bool:
    """Take a waiting conversation. Atomic: of two consultants claiming at once, one wins.

    The ``WHERE status = 'waiting'`` is re-checked by the database after any concurrent update
    commits (PostgreSQL row lock; SQLite serialises writers), so the loser updates no row. The
    winner's wait is recorded (:class:`QueueWait`): the bot's expected wait is made from them.
    """
    result = db.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.status == ConversationStatus.WAITING.value,
            Scope.changing(viewer).conversations(),
        )
        .values(
            status=ConversationStatus.CONSULTANT.value,
            assigned_consultant_id=viewer.id,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    conversation = db.get(Conversation, conversation_id)
    assert conversation is not None
    db.refresh(conversation)
    if conversation.waiting_since is not None:
        db.add(
            QueueWait(
                consultant_id=viewer.id,
                priority=conversation.priority,
                waiting_since=conversation.waiting_since,
                taken_at=now,
            )
        )
    db.execute(
        update(Citizen)
        .where(Citizen.id == conversation.citizen_id, Citizen.team_id.is_(None))
        .values(team_id=viewer.team_id)
        .execution_options(synchronize_session=False)
    )
    return True


def _held(db: Session, viewer: Viewer, conversation_id: int) -> Conversation:
    conversation = visible_conversation(db, Scope.changing(viewer), conversation_id)
    if (
        conversation.status != ConversationStatus.CONSULTANT
        or conversation.assigned_consultant_id != viewer.id
    ):
        raise InboxError("errors.claim_first")
    return conversation


def reply(
    db: Session,
    viewer: Viewer,
    conversation_id: int,
    text: str,
    now: datetime,
    max_chars: int,
    max_sms_parts: int | None = None,
) -> Message:
    """Queue the consultant's answer on the citizen's last used channel (another one when the
    provider said it cannot reach them); an SMS longer than ``max_sms_parts`` is refused."""
    conversation = _held(db, viewer, conversation_id)
    try:
        cleaned = clean_text(text, max_chars=max_chars)
    except InvalidMessage as exc:
        raise InboxError("errors.reply_invalid") from exc
    if max_sms_parts is not None:
        check_reply_length(db, conversation, cleaned, max_sms_parts)
    message = queue_message(
        db, conversation, cleaned, now, sender=Sender.CONSULTANT, consultant_id=viewer.id
    )
    if message is None:
        raise InboxError("errors.no_channel")
    conversation.updated_at = now
    return message


def hand_back(
    db: Session, viewer: Viewer, conversation_id: int, now: datetime, content: Content
) -> Conversation:
    """Give the conversation back to the bot: the citizen's next message goes to the flows.

    The citizen is told, so a silence after the consultant's last answer is not a mystery.
    """
    conversation = _held(db, viewer, conversation_id)
    notice = content.text(conversation.language, "inbox.handed_back")
    queue_message(db, conversation, notice, now, sender=Sender.SYSTEM)
    conversation.status = ConversationStatus.BOT.value
    conversation.assigned_consultant_id = None
    conversation.priority = 0
    conversation.waiting_since = None
    conversation.flow_state = {}
    conversation.updated_at = now
    return conversation


def close(db: Session, viewer: Viewer, conversation_id: int, now: datetime) -> Conversation:
    conversation = visible_conversation(db, Scope.changing(viewer), conversation_id)
    if conversation.status == ConversationStatus.CLOSED:
        return conversation
    if (
        conversation.status == ConversationStatus.CONSULTANT
        and conversation.assigned_consultant_id != viewer.id
    ):
        raise InboxError("errors.held_by_colleague")
    conversation.status = ConversationStatus.CLOSED.value
    conversation.closed_at = now
    conversation.updated_at = now
    return conversation


def add_note(
    db: Session, viewer: Viewer, conversation_id: int, text: str, now: datetime
) -> InternalNote:
    visible_conversation(db, Scope.changing(viewer), conversation_id)
    text = text.strip()
    if not text:
        raise InboxError("errors.note_empty")
    note = InternalNote(
        conversation_id=conversation_id, consultant_id=viewer.id, text=text[:4000], created_at=now
    )
    db.add(note)
    return note


def notes(db: Session, conversation_id: int) -> list[InternalNote]:
    return list(
        db.scalars(
            select(InternalNote)
            .where(InternalNote.conversation_id == conversation_id)
            .order_by(InternalNote.created_at, InternalNote.id)
        )
    )


def canned_replies(db: Session, viewer: Viewer) -> list[CannedReply]:
    return list(
        db.scalars(
            select(CannedReply)
            .where(Scope.changing(viewer).canned_replies())
            .order_by(CannedReply.title)
        )
    )
