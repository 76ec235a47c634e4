"""Reminders of meetings and recurring check-ins, as rows the reminder scheduler sends from.

A reminder is planned as a row (``scheduled``) and becomes exactly one outbound message: the
dispatcher claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), writes the message and
marks the row ``sent`` with the message's id in one transaction. ``dedupe_key`` makes deriving a
booking's reminders idempotent: re-deriving never plans the same reminder twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, UtcDateTime, utcnow
from bot.store.models.core import Citizen
from bot.store.models.scheduling import Booking


class ReminderKind(StrEnum):
    CONFIRMATION = "confirmation"  # right after a booking made for the citizen (inbox)
    BEFORE = "before"  # a set number of hours before the meeting
    CHECK_IN = "check_in"  # "Hvordan går det?" every N weeks


class ReminderStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"  # its outbound message is in the outbox (message_id)
    CANCELLED = "cancelled"  # the booking moved or was cancelled, or the check-in stopped
    SKIPPED = "skipped"  # not useful any more, or the citizen opted out (see ``note``)
    FAILED = "failed"  # no way to reach the citizen


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint("kind IN ('confirmation', 'before', 'check_in')", name="kind"),
        CheckConstraint(
            "status IN ('scheduled', 'sent', 'cancelled', 'skipped', 'failed')", name="status"
        ),
        # The dispatcher's query: scheduled rows by due time.
        Index("ix_reminders_status_due", "status", "due_at"),
        Index("ix_reminders_booking", "booking_id"),
        Index("ix_reminders_citizen_sent", "citizen_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One reminder per (booking or check-in, kind, planned moment): see bot/domain/reminders/.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    # For "before" reminders: the lead time the policy asked for.
    hours_before: Mapped[float | None] = mapped_column(Float)
    # The moment the policy names (meeting start minus lead time, local wall clock) ...
    planned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # ... and when it is sent: later than planned_at in quiet hours (SMS).
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The channel planned; on sending, the channel actually used.
    channel: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ReminderStatus.SCHEDULED.value)
    policy: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    # Why a reminder was skipped, cancelled or failed (for the list and for support).
    note: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set when the citizen's reply (JA / NEJ / FLYT / a check-in answer) was understood.
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    citizen: Mapped[Citizen] = relationship()
    booking: Mapped[Booking | None] = relationship()
    check_in: Mapped[CheckIn | None] = relationship()


class CheckIn(Base):
    """A consultant's recurring "Hvordan går det?" to one citizen, every ``every_weeks`` weeks."""

    __tablename__ = "check_ins"
    __table_args__ = (CheckConstraint("every_weeks BETWEEN 1 AND 52", name="every_weeks"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), unique=True
    )
    every_weeks: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    citizen: Mapped[Citizen] = relationship()
