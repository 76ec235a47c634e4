"""A citizen's current conversation: the newest one not closed, or a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.store.models import Citizen, Conversation, ConversationStatus

# Built once: every inbound message runs it (see bot/pipeline/dispatcher.py).
_OPEN_CONVERSATION = (
    select(Conversation)
    .where(
        Conversation.citizen_id == bindparam("citizen_id"),
        Conversation.status != ConversationStatus.CLOSED.value,
    )
    .order_by(Conversation.id.desc())
    .limit(1)
)
_OPEN_CONVERSATION_LOCKED = _OPEN_CONVERSATION.with_for_update()


def open_conversation(
    session: Session, citizen: Citizen, now: datetime, *, lock: bool = False
) -> Conversation:
    """The citizen's newest conversation that is not closed, created when there is none.

    ``lock`` takes the row with FOR UPDATE (PostgreSQL; SQLite locks the whole database), which
    the message pipeline uses to handle one citizen's messages one at a time.
    """
    query = _OPEN_CONVERSATION_LOCKED if lock else _OPEN_CONVERSATION
    conversation = session.scalars(query, {"citizen_id": citizen.id}).first()
    if conversation is None:
        conversation = new_conversation(citizen, now)
        session.add(conversation)
        session.flush()
    return conversation


def new_conversation(citizen: Citizen, now: datetime) -> Conversation:
    """A fresh conversation with the bot, in the citizen's language (not yet added)."""
    return Conversation(
        citizen_id=citizen.id,
        status=ConversationStatus.BOT.value,
        flow_state={},
        language=citizen.language,
        created_at=now,
        updated_at=now,
    )


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
