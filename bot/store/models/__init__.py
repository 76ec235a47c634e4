"""SQLAlchemy models. Each module owns one part of the schema; all share :class:`Base`.

Importing this package registers every table on ``Base.metadata`` (Alembic relies on it).
"""

from __future__ import annotations

from bot.store.models.attachments import MessageAttachment
from bot.store.models.base import Base, UtcDateTime, utcnow
from bot.store.models.citizen_care import CitizenContact, Satisfaction, SatisfactionAnswer
from bot.store.models.core import (
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
from bot.store.models.inbox import (
    AuditEntry,
    CannedReply,
    InternalNote,
    LoginFailure,
    LoginSession,
    QueueWait,
)
from bot.store.models.reminders import CheckIn, Reminder, ReminderKind, ReminderStatus
from bot.store.models.scheduling import (
    ACTIVE_BOOKING_STATUSES,
    AbsenceNotice,
    AbsenceReason,
    Booking,
    BookingStatus,
    JobProfile,
    Location,
    LocationKind,
    OpeningHours,
    Slot,
    SlotException,
)
from bot.store.models.web import WebSession

__all__ = [
    "ACTIVE_BOOKING_STATUSES",
    "AbsenceNotice",
    "AbsenceReason",
    "AuditEntry",
    "Base",
    "Booking",
    "BookingStatus",
    "CannedReply",
    "ChannelIdentity",
    "CheckIn",
    "Citizen",
    "CitizenContact",
    "Consultant",
    "Conversation",
    "ConversationStatus",
    "Direction",
    "InternalNote",
    "JobProfile",
    "Location",
    "LocationKind",
    "LoginFailure",
    "LoginSession",
    "Message",
    "MessageAttachment",
    "MessageStatus",
    "OpeningHours",
    "QueueWait",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "Satisfaction",
    "SatisfactionAnswer",
    "Sender",
    "Slot",
    "SlotException",
    "Team",
    "UtcDateTime",
    "WebSession",
    "utcnow",
]
