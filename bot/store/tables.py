"""The models' tables as Core ``Table`` objects, for statements that read and write plain rows
(the message pipeline's: no ORM objects to load, track or flush)."""

from __future__ import annotations

from sqlalchemy import Table

from bot.store.models import (
    ChannelIdentity,
    Citizen,
    Conversation,
    Message,
    MessageAttachment,
    Reminder,
)

CITIZENS: Table = Citizen.__table__  # type: ignore[assignment]
IDENTITIES: Table = ChannelIdentity.__table__  # type: ignore[assignment]
CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
MESSAGES: Table = Message.__table__  # type: ignore[assignment]
REMINDERS: Table = Reminder.__table__  # type: ignore[assignment]
ATTACHMENTS: Table = MessageAttachment.__table__  # type: ignore[assignment]
