"""A citizen's open conversation: the newest one not closed, or a new one.

The one place that says which conversation is a citizen's open one, for the ORM (notices, the
reminder scheduler) and for the message pipeline's plain rows (:class:`OpenConversation`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, bindparam, select
from sqlalchemy.orm import Session

from bot.store.models import Citizen, Conversation, ConversationStatus
from bot.store.tables import CITIZENS, CONVERSATIONS

_CLOSED = ConversationStatus.CLOSED.value


def newest_open(
    *columns: Any,
    citizen_id: ColumnElement[Any] | None = None,
    conversations: FromClause = CONVERSATIONS,
) -> Select[Any]:
    """``SELECT columns`` of a citizen's newest conversation that is not closed: the citizen
    ``:citizen_id`` unless ``citizen_id`` says another (a correlated column)."""
    citizen = bindparam("citizen_id") if citizen_id is None else citizen_id
    return (
        select(*columns)
        .where(conversations.c.citizen_id == citizen, _is_open(conversations))
        .order_by(conversations.c.id.desc())
        .limit(1)
    )


def _is_open(conversations: FromClause) -> ColumnElement[bool]:
    return conversations.c.status != _CLOSED


# Built once with bound parameters: building a statement costs more than running it.
_NEWEST_OPEN = newest_open(Conversation)


def open_conversation(session: Session, citizen: Citizen, now: datetime) -> Conversation:
    """The citizen's open conversation, created when there is none."""
    conversation = session.scalars(_NEWEST_OPEN, {"citizen_id": citizen.id}).first()
    if conversation is None:
        conversation = new_conversation(citizen, now)
        session.add(conversation)
        session.flush()
    return conversation


def open_conversations(session: Session, citizen_ids: Collection[int]) -> dict[int, Conversation]:
    """The open conversation of each of these citizens that has one.

    Not locked: the message pipeline locks a conversation and then reminders, so a reminder
    batch locking them in the other order could deadlock; a reminder only appends a message.
    """
    rows = session.scalars(
        select(Conversation)
        .where(Conversation.citizen_id.in_(citizen_ids), _is_open(CONVERSATIONS))
        .order_by(Conversation.id)
    ).all()
    return {row.citizen_id: row for row in rows}  # the newest wins


def new_conversation_values(citizen_id: int, language: str, now: datetime) -> dict[str, Any]:
    """The columns of a fresh conversation with the bot."""
    return {
        "citizen_id": citizen_id,
        "status": ConversationStatus.BOT.value,
        "flow_state": {},
        "language": language,
        "created_at": now,
        "updated_at": now,
    }


def new_conversation(citizen: Citizen, now: datetime) -> Conversation:
    """A fresh conversation with the bot, in the citizen's language (not yet added)."""
    return Conversation(**new_conversation_values(citizen.id, citizen.language, now))


@dataclass(slots=True)
class OpenConversation:
    """A message's sender and their open conversation as the message pipeline sees them: plain
    values read with the conversation row locked (no ORM objects to load, track or flush).

    Effects that change the citizen or the conversation load them through the ORM themselves
    (:class:`bot.domain.effects.EffectScope`).
    """

    citizen_id: int
    conversation_id: int
    status: str
    language: str
    flow_state: dict[str, Any]
    last_channel: str | None
    citizen_seen_at: datetime
    reminders_opted_out: bool = False
    inbound_window_started_at: datetime | None = None
    inbound_in_window: int = 0
    # False when no reminder sent to the citizen awaits an answer: the flows then look up none.
    reminder_awaits_answer: bool = True
    # The consultant queue: how urgent (crisis is highest), since when and why it waits.
    priority: int = 0
    waiting_since: datetime | None = None
    handoff_reason: str | None = None
    # No message came from this channel and address before this one.
    first_contact: bool = False
    # This message replies to our outbound message with this id (a reminder it answers).
    replies_to: int | None = None


# The columns of OpenConversation, labelled with its field names.
CITIZEN_COLUMNS = (
    CITIZENS.c.id.label("citizen_id"),
    CITIZENS.c.last_channel,
    CITIZENS.c.last_seen_at.label("citizen_seen_at"),
    CITIZENS.c.reminders_opted_out,
)
CONVERSATION_COLUMNS = (
    CONVERSATIONS.c.id.label("conversation_id"),
    CONVERSATIONS.c.status,
    CONVERSATIONS.c.language,
    CONVERSATIONS.c.flow_state,
    CONVERSATIONS.c.inbound_window_started_at,
    CONVERSATIONS.c.inbound_in_window,
    CONVERSATIONS.c.priority,
    CONVERSATIONS.c.waiting_since,
    CONVERSATIONS.c.handoff_reason,
)


def open_conversation_of(
    citizen: Any,
    conversation: Any,
    *,
    reminder_awaits_answer: bool = True,
    first_contact: bool = False,
) -> OpenConversation:
    """An :class:`OpenConversation` from a row of ``CITIZEN_COLUMNS`` and one of
    ``CONVERSATION_COLUMNS`` (the same row when one query read both)."""
    return OpenConversation(
        citizen_id=citizen.citizen_id,
        conversation_id=conversation.conversation_id,
        status=conversation.status,
        language=conversation.language,
        flow_state=conversation.flow_state,
        last_channel=citizen.last_channel,
        citizen_seen_at=citizen.citizen_seen_at,
        reminders_opted_out=bool(citizen.reminders_opted_out),
        inbound_window_started_at=conversation.inbound_window_started_at,
        inbound_in_window=conversation.inbound_in_window or 0,
        reminder_awaits_answer=reminder_awaits_answer,
        priority=conversation.priority or 0,
        waiting_since=conversation.waiting_since,
        handoff_reason=conversation.handoff_reason,
        first_contact=first_contact,
    )
