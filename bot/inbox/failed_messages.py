"""Messages the outbox could not (knowingly) deliver, as a consultant sees them: what happened,
what to do, and "send again" (the rule itself is :mod:`bot.domain.outbox_fate`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.outbox_fate import Fate, fate, send_again
from bot.inbox import conversations
from bot.inbox.auth import Viewer
from bot.inbox.scope import Scope
from bot.kernel.errors import InboxError
from bot.store.models import Message


def fates(messages: list[Message]) -> dict[int, Fate]:
    """The failed outbound messages of a transcript, by id, with why each failed."""
    return {m.id: f for m in messages if (f := fate(m)) is not None}


def send_message_again(
    db: Session, viewer: Viewer, conversation_id: int, message_id: int, now: datetime
) -> None:
    """Queue a failed message of a conversation in the viewer's team again."""
    conversations.visible_conversation(db, Scope.changing(viewer), conversation_id)
    message = db.get(Message, message_id, with_for_update=True)
    if message is None or message.conversation_id != conversation_id:
        raise InboxError("errors.conversation_not_found")
    if not send_again(db, message, now):
        raise InboxError("outbox.not_failed")
