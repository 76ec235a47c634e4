"""Where and when citizens meet consultants, and what citizens tell the jobcenter.

Times are stored in UTC; weekly opening hours are local wall-clock times (Europe/Copenhagen)
because "Tuesdays 10-14" stays 10-14 across daylight-saving changes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, JsonType, UtcDateTime, utcnow
from bot.store.models.core import Citizen, Consultant, Team


class LocationKind(StrEnum):
    OFFICE = "office"
    OPEN_COUNSELLING = "open_counselling"  # a drop-in room, e.g. in a housing area
    PHONE = "phone"  # a callback, no place to go


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"  # the citizen answered JA to a reminder
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# Bookings that hold their slot; a cancelled one frees it for someone else.
ACTIVE_BOOKING_STATUSES = (BookingStatus.BOOKED.value, BookingStatus.CONFIRMED.value)
_ACTIVE_SQL = "status IN ('booked', 'confirmed')"


class AbsenceReason(StrEnum):
    OWN_SICKNESS = "own_sickness"
    CHILD_SICK = "child_sick"
    OTHER = "other"


class Location(Base):
    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint("kind IN ('office', 'open_counselling', 'phone')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), default=LocationKind.OFFICE.value)
    # Shown in confirmations and reminders, e.g. "Ring på døren ved opgang B".
    directions: Mapped[str | None] = mapped_column(Text)

    team: Mapped[Team] = relationship()


class OpeningHours(Base):
    """Weekly hours of a location (open counselling), in local time."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("opens < closes", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # Monday is 0
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    location: Mapped[Location] = relationship()


class Slot(Base):
    """A time a consultant can meet a citizen."""

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("consultant_id", "starts_at"),
        CheckConstraint("starts_at < ends_at", name="order"),
        Index("ix_slots_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    consultant: Mapped[Consultant] = relationship()
    location: Mapped[Location] = relationship()


class SlotException(Base):
    """A period with no meetings: a holiday (whole team or location) or a sick consultant."""

    __tablename__ = "slot_exceptions"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Booking(Base):
    """A citizen's meeting. At most one active booking per slot, enforced by the database."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('booked', 'confirmed', 'cancelled', 'attended', 'no_show')", name="status"
        ),
        Index(
            "uq_bookings_active_slot",
            "slot_id",
            unique=True,
            postgresql_where=text(_ACTIVE_SQL),
            sqlite_where=text(_ACTIVE_SQL),
        ),
        Index("ix_bookings_citizen_status", "citizen_id", "status"),
        Index("ix_bookings_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable so statistics survive a citizen's deletion (privacy: only what stats need).
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id", ondelete="SET NULL"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    # Copied from the slot so the booking reads alone and survives slot changes.
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.BOOKED.value)
    topic: Mapped[str | None] = mapped_column(String(40))
    # Which reminder policy applied (config reminders.policy): statistics compare them.
    reminder_policy: Mapped[str | None] = mapped_column(String(40))
    booked_via: Mapped[str | None] = mapped_column(String(20))  # channel or "inbox"
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    citizen: Mapped[Citizen | None] = relationship()
    slot: Mapped[Slot] = relationship()
    consultant: Mapped[Consultant] = relationship()
    location: Mapped[Location] = relationship()


class AbsenceNotice(Base):
    """A citizen's report of sickness or other absence, for their consultant to see."""

    __tablename__ = "absence_notices"
    __table_args__ = (
        CheckConstraint("reason IN ('own_sickness', 'child_sick', 'other')", name="reason"),
        Index("ix_absence_notices_citizen", "citizen_id", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    # What they are absent from: work, praktik, activation, course, meeting.
    activity: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    # A consultant annulled or corrected the notice (a wrongly recorded absence), and why.
    annulled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    change_reason: Mapped[str | None] = mapped_column(String(500))


class JobProfile(Base):
    """A citizen's wishes for work, collected one question at a time."""

    __tablename__ = "job_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), unique=True
    )
    kinds_of_work: Mapped[list[str]] = mapped_column(JsonType, default=list)
    hours_per_week: Mapped[float | None] = mapped_column()
    days: Mapped[list[str]] = mapped_column(JsonType, default=list)
    cannot_do: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
