"""SQLAlchemy models. Each module owns one part of the schema; all share :class:`Base`.

Importing this package registers every table on ``Base.metadata`` (Alembic relies on it).
"""

from __future__ import annotations

from bot.models.base import Base, UtcDateTime, utcnow
from bot.models.core import (
    ChannelIdentity,
    Citizen,
    Consultant,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    Sender,
    Team,
)

__all__ = [
    "Base",
    "ChannelIdentity",
    "Citizen",
    "Consultant",
    "Conversation",
    "ConversationStatus",
    "Direction",
    "Message",
    "MessageStatus",
    "Sender",
    "Team",
    "UtcDateTime",
    "utcnow",
]
