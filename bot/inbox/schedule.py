"""Opening hours, consultant slots, exceptions and bookings, as the inbox manages them.

Weekly opening hours are local wall-clock times; slots and bookings are stored in UTC. A slot
exception (a holiday, a sick consultant) cancels the active bookings it hits, tells each citizen
through the outbox and calls the booking listeners (reminders re-derive themselves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.booking_events import BookingListeners
from bot.inbox.auth import Viewer
from bot.inbox.notices import notify_citizen
from bot.inbox.scope import Scope, find
from bot.kernel.errors import InboxError
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    BookingStatus,
    Consultant,
    Location,
    OpeningHours,
    Slot,
    SlotException,
)
from flows.content import Content

MAX_RECURRING_WEEKS = 52
# The slots page lists this many days ahead.
UPCOMING_SLOT_DAYS = 14
# What a consultant may set a booking to from the day list.
MARKABLE = (BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED)


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_days(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of local day ``first`` to the end of local day ``last``, in UTC."""
    return local_to_utc(first, time(0), tz), local_to_utc(last + timedelta(days=1), time(0), tz)


def team_locations(db: Session, viewer: Viewer) -> list[Location]:
    return list(
        db.scalars(
            select(Location).where(Location.team_id == viewer.team_id).order_by(Location.name)
        )
    )


def team_consultants(db: Session, viewer: Viewer) -> list[Consultant]:
    return list(
        db.scalars(
            select(Consultant)
            .where(Consultant.team_id == viewer.team_id, Consultant.active.is_(True))
            .order_by(Consultant.display_name)
        )
    )


def _team_location(db: Session, viewer: Viewer, location_id: int) -> Location:
    location = db.get(Location, location_id)
    if location is None or location.team_id != viewer.team_id:
        raise InboxError("errors.location_not_found")
    return location


def _team_consultant(db: Session, viewer: Viewer, consultant_id: int) -> Consultant:
    consultant = db.get(Consultant, consultant_id)
    if consultant is None or consultant.team_id != viewer.team_id:
        raise InboxError("errors.consultant_not_found")
    return consultant


def opening_hours(db: Session, viewer: Viewer) -> list[OpeningHours]:
    return list(
        db.scalars(
            select(OpeningHours)
            .join(Location, Location.id == OpeningHours.location_id)
            .where(Location.team_id == viewer.team_id)
            .order_by(Location.name, OpeningHours.weekday, OpeningHours.opens)
        )
    )


def add_opening_hours(
    db: Session, viewer: Viewer, location_id: int, weekday: int, opens: time, closes: time
) -> OpeningHours:
    _team_location(db, viewer, location_id)
    if not 0 <= weekday <= 6:
        raise InboxError("errors.weekday_missing")
    if opens >= closes:
        raise InboxError("errors.hours_order")
    row = OpeningHours(location_id=location_id, weekday=weekday, opens=opens, closes=closes)
    db.add(row)
    return row


def remove_opening_hours(db: Session, viewer: Viewer, hours_id: int) -> None:
    row = find(db, OpeningHours, hours_id, Scope.changing(viewer).opening_hours())
    if row is None:
        raise InboxError("errors.hours_not_found")
    db.delete(row)


@dataclass
class SlotPlan:
    created: list[Slot] = field(default_factory=list)
    skipped: list[datetime] = field(default_factory=list)  # the consultant already had a slot


def create_slots(
    db: Session,
    viewer: Viewer,
    *,
    consultant_id: int,
    location_id: int,
    first_day: date,
    starts: time,
    minutes: int,
    weeks: int,
    tz: ZoneInfo,
) -> SlotPlan:
    """One slot, or the same weekday and time for ``weeks`` weeks (local time, so DST-safe)."""
    _team_consultant(db, viewer, consultant_id)
    _team_location(db, viewer, location_id)
    if not 5 <= minutes <= 480:
        raise InboxError("errors.slot_length")
    if not 1 <= weeks <= MAX_RECURRING_WEEKS:
        raise InboxError("errors.slot_weeks", max_weeks=MAX_RECURRING_WEEKS)
    plan = SlotPlan()
    for week in range(weeks):
        day = first_day + timedelta(weeks=week)
        starts_at = local_to_utc(day, starts, tz)
        ends_at = starts_at + timedelta(minutes=minutes)
        clash = db.scalar(
            select(Slot.id).where(
                Slot.consultant_id == consultant_id,
                Slot.starts_at < ends_at,
                Slot.ends_at > starts_at,
            )
        )
        if clash is not None:
            plan.skipped.append(starts_at)
            continue
        slot = Slot(
            consultant_id=consultant_id,
            location_id=location_id,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        db.add(slot)
        db.flush()
        plan.created.append(slot)
    return plan


def upcoming_slots(
    db: Session, viewer: Viewer, now: datetime, days: int = UPCOMING_SLOT_DAYS
) -> list[Slot]:
    return list(
        db.scalars(
            select(Slot)
            .join(Consultant, Consultant.id == Slot.consultant_id)
            .where(
                Consultant.team_id == viewer.team_id,
                Slot.starts_at >= now - timedelta(hours=1),
                Slot.starts_at < now + timedelta(days=days),
            )
            .order_by(Slot.starts_at, Slot.id)
        )
    )


def exceptions(db: Session, viewer: Viewer, now: datetime) -> list[SlotException]:
    return list(
        db.scalars(
            select(SlotException)
            .where(SlotException.team_id == viewer.team_id, SlotException.ends_at > now)
            .order_by(SlotException.starts_at)
        )
    )


@dataclass
class ExceptionResult:
    exception: SlotException
    cancelled: list[Booking]
    notified: int
    # (old booking, its replacement) for meetings moved instead of cancelled.
    moved: list[tuple[Booking, Booking]] = field(default_factory=list)


def _covered_by_exception(team_id: int) -> ColumnElement[bool]:
    """True for a slot inside any exception that applies to it (team, location or consultant)."""
    return exists().where(
        SlotException.starts_at < Slot.ends_at,
        SlotException.ends_at > Slot.starts_at,
        or_(SlotException.team_id.is_(None), SlotException.team_id == team_id),
        or_(SlotException.location_id.is_(None), SlotException.location_id == Slot.location_id),
        or_(
            SlotException.consultant_id.is_(None),
            SlotException.consultant_id == Slot.consultant_id,
        ),
    )


def next_free_slot(db: Session, booking: Booking, after: datetime) -> Slot | None:
    """The earliest slot at the booking's location after ``after``: unbooked, not excepted."""
    taken = exists().where(Booking.slot_id == Slot.id, Booking.status.in_(ACTIVE_BOOKING_STATUSES))
    return db.scalars(
        select(Slot)
        .where(
            Slot.location_id == booking.location_id,
            Slot.starts_at >= after,
            ~taken,
            # Same location, so the location's team is the slot's team.
            ~_covered_by_exception(booking.location.team_id),
        )
        .order_by(Slot.starts_at, Slot.id)
        .limit(1)
    ).first()


def _cancel(db: Session, booking: Booking, now: datetime, reason: str) -> None:
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = now
    booking.cancel_reason = reason[:200]
    db.flush()


def _move(db: Session, booking: Booking, slot: Slot, reason: str, now: datetime) -> Booking | None:
    """Book ``slot`` for the booking's citizen and cancel the old booking; None if it was taken."""
    replacement = Booking(
        citizen_id=booking.citizen_id,
        slot_id=slot.id,
        consultant_id=slot.consultant_id,
        location_id=slot.location_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        topic=booking.topic,
        reminder_policy=booking.reminder_policy,
        booked_via="inbox",
        rescheduled_from_id=booking.id,
        created_at=now,
    )
    try:
        # The partial unique index refuses a slot someone booked meanwhile.
        with db.begin_nested():
            db.add(replacement)
    except IntegrityError:
        return None
    _cancel(db, booking, now, f"moved: {reason}")
    return replacement


def add_exception(
    db: Session,
    viewer: Viewer,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    location_id: int | None,
    consultant_id: int | None,
    now: datetime,
    content: Content,
    listeners: BookingListeners,
    tz: ZoneInfo,
    move: bool = False,
) -> ExceptionResult:
    """Record a period without meetings; move (when asked and a free slot exists at the same
    location) or cancel the bookings in it, and tell those citizens."""
    if starts_at >= ends_at:
        raise InboxError("errors.period_order")
    reason = reason.strip()[:200]
    if not reason:
        raise InboxError("errors.reason_missing")
    if location_id is not None:
        _team_location(db, viewer, location_id)
    if consultant_id is not None:
        _team_consultant(db, viewer, consultant_id)
    exception = SlotException(
        team_id=viewer.team_id,
        location_id=location_id,
        consultant_id=consultant_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_at=now,
    )
    db.add(exception)
    conditions = [
        Booking.status.in_(ACTIVE_BOOKING_STATUSES),
        Booking.starts_at < ends_at,
        Booking.ends_at > starts_at,
        Location.team_id == viewer.team_id,
    ]
    if location_id is not None:
        conditions.append(Booking.location_id == location_id)
    if consultant_id is not None:
        conditions.append(Booking.consultant_id == consultant_id)
    hit = list(
        db.scalars(
            select(Booking)
            .join(Location, Location.id == Booking.location_id)
            .where(and_(*conditions))
            .order_by(Booking.starts_at)
        )
    )
    db.flush()
    result = ExceptionResult(exception, [], 0)
    for booking in hit:
        replacement = None
        if move and booking.citizen is not None:
            slot = next_free_slot(db, booking, max(ends_at, now))
            replacement = _move(db, booking, slot, reason, now) if slot else None
        if replacement is None:
            _cancel(db, booking, now, f"exception: {reason}")
            result.cancelled.append(booking)
        else:
            result.moved.append((booking, replacement))
        if booking.citizen is not None:
            old = booking.starts_at.astimezone(tz)
            params = {
                "date": old.strftime("%d.%m.%Y"),
                "time": old.strftime("%H:%M"),
                "location": booking.location.name,
            }
            key = "inbox.meeting_cancelled"
            if replacement is not None:
                new = replacement.starts_at.astimezone(tz)
                key = "inbox.meeting_moved"
                params |= {"new_date": new.strftime("%d.%m.%Y"), "new_time": new.strftime("%H:%M")}
            text = content.text(booking.citizen.language, key, **params)
            if notify_citizen(db, booking.citizen, text, now) is not None:
                result.notified += 1
        listeners.changed(db, booking, now)
        if replacement is not None:
            listeners.changed(db, replacement, now)
    db.flush()
    return result


def day_bookings(db: Session, viewer: Viewer, day: date, tz: ZoneInfo) -> list[Booking]:
    start, end = local_days(day, day, tz)
    return list(
        db.scalars(
            select(Booking)
            .where(
                Scope.changing(viewer).bookings(),
                Booking.starts_at >= start,
                Booking.starts_at < end,
            )
            .order_by(Booking.starts_at, Booking.id)
        )
    )


def citizen_bookings(db: Session, citizen_id: int) -> list[Booking]:
    return list(
        db.scalars(
            select(Booking)
            .where(Booking.citizen_id == citizen_id)
            .order_by(Booking.starts_at.desc())
        )
    )


def mark_booking(
    db: Session,
    viewer: Viewer,
    booking_id: int,
    status: str,
    now: datetime,
    listeners: BookingListeners,
) -> Booking:
    """Set a booking to attended, no-show or cancelled, and tell the listeners."""
    if status not in {s.value for s in MARKABLE}:
        raise InboxError("errors.unknown_status")
    booking = find(db, Booking, booking_id, Scope.changing(viewer).bookings())
    if booking is None:
        raise InboxError("errors.booking_not_found")
    if booking.status == status:
        return booking
    booking.status = status
    if status == BookingStatus.CANCELLED:
        booking.cancelled_at = now
        booking.cancel_reason = booking.cancel_reason or "inbox"
    db.flush()
    listeners.changed(db, booking, now)
    return booking
