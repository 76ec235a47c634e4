"""Messages the inbox sends a citizen: queued in the outbox on the channel they last used.

Telegram and SMS rows are delivered by the outbox sender; web chat rows are pulled by the
browser through ``GET /api/chat/messages``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import (
    ChannelIdentity,
    Citizen,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    Sender,
)


def last_identity(db: Session, citizen_id: int) -> ChannelIdentity | None:
    """The channel and address the citizen wrote from most recently."""
    return db.scalars(
        select(ChannelIdentity)
        .where(ChannelIdentity.citizen_id == citizen_id)
        .order_by(ChannelIdentity.last_seen_at.desc(), ChannelIdentity.id.desc())
        .limit(1)
    ).first()


def queue_message(
    db: Session,
    conversation: Conversation,
    text: str,
    now: datetime,
    *,
    sender: Sender,
    consultant_id: int | None = None,
) -> Message | None:
    """Queue ``text`` for the conversation's citizen; None when they have no channel left."""
    identity = last_identity(db, conversation.citizen_id)
    if identity is None:
        return None
    message = Message(
        conversation_id=conversation.id,
        citizen_id=conversation.citizen_id,
        direction=Direction.OUT.value,
        sender=sender.value,
        channel=identity.channel,
        address=identity.address,
        text=text,
        choices=[],
        consultant_id=consultant_id,
        status=MessageStatus.QUEUED.value,
        next_attempt_at=now,
        created_at=now,
    )
    db.add(message)
    db.flush()
    return message


def notify_citizen(db: Session, citizen: Citizen, text: str, now: datetime) -> Message | None:
    """A system notice (e.g. a cancelled meeting), in the citizen's open conversation."""
    conversation = db.scalars(
        select(Conversation)
        .where(
            Conversation.citizen_id == citizen.id,
            Conversation.status != ConversationStatus.CLOSED.value,
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    ).first()
    if conversation is None:
        conversation = Conversation(
            citizen_id=citizen.id,
            status=ConversationStatus.BOT.value,
            flow_state={},
            language=citizen.language,
            created_at=now,
            updated_at=now,
        )
        db.add(conversation)
        db.flush()
    return queue_message(db, conversation, text, now, sender=Sender.SYSTEM)
