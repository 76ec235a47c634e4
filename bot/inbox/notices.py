"""Messages the inbox sends a citizen: queued in the outbox on the channel they last used.

Telegram and SMS rows are delivered by the outbox sender; web chat rows are pulled by the
browser through ``GET /api/chat/messages``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.delivery import enqueue_proactive
from bot.store.conversations import open_conversation
from bot.store.models import Citizen, Conversation, Message, Sender


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
    citizen = db.get(Citizen, conversation.citizen_id)
    if citizen is None:
        return None
    try:
        return enqueue_proactive(
            db,
            citizen=citizen,
            conversation_id=conversation.id,
            text=text,
            now=now,
            sender=sender,
            consultant_id=consultant_id,
        )
    except LookupError:
        return None


def notify_citizen(db: Session, citizen: Citizen, text: str, now: datetime) -> Message | None:
    """A system notice (e.g. a cancelled meeting), in the citizen's open conversation."""
    conversation = open_conversation(db, citizen, now)
    return queue_message(db, conversation, text, now, sender=Sender.SYSTEM)
