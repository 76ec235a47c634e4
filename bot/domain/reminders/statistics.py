"""Reminders in figures and lists: outcomes per reminder policy (the inbox's statistics page,
``borgerchat reminders stats``) and the reminders by due time (``borgerchat reminders list``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from bot.store.models import Booking, BookingStatus, Consultant, Reminder, ReminderStatus

# Statistics' label for bookings without a reminder policy (NULL).
NO_POLICY = "none"


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    """How the bookings under one reminder policy went (for the inbox's statistics page)."""

    policy: str
    bookings: int
    confirmed: int
    cancelled: int
    no_show: int
    attended: int


def reminder_statistics(session: Session) -> list[PolicyOutcome]:
    """Confirmed, cancelled and no-show counts per ``Booking.reminder_policy``.

    ``confirmed`` counts bookings the citizen confirmed (JA), whatever happened after.
    """
    policy = func.coalesce(Booking.reminder_policy, NO_POLICY)

    def count_status(status: BookingStatus) -> ColumnElement[Any]:
        return func.sum(case((Booking.status == status.value, 1), else_=0))

    rows = session.execute(
        select(
            policy,
            func.count(Booking.id),
            func.sum(case((Booking.confirmed_at.is_not(None), 1), else_=0)),
            count_status(BookingStatus.CANCELLED),
            count_status(BookingStatus.NO_SHOW),
            count_status(BookingStatus.ATTENDED),
        )
        .group_by(policy)
        .order_by(policy)
    ).all()
    return [
        PolicyOutcome(
            str(name), int(total), int(conf or 0), int(canc or 0), int(ns or 0), int(att or 0)
        )
        for name, total, conf, canc, ns, att in rows
    ]


@dataclass(frozen=True, slots=True)
class ReminderListing:
    id: int
    kind: str
    status: str
    due_at: datetime
    channel: str | None
    booking_id: int | None
    check_in_id: int | None
    citizen_id: int
    meeting_at: datetime | None
    consultant: str | None
    note: str | None


def list_reminders(
    session: Session,
    *,
    statuses: Sequence[str] = (ReminderStatus.SCHEDULED.value,),
    limit: int = 500,
) -> list[ReminderListing]:
    """Reminders by due time (scheduled ones by default) for ``borgerchat reminders list``."""
    query = (
        select(Reminder, Booking.starts_at, Consultant.display_name)
        .outerjoin(Booking, Booking.id == Reminder.booking_id)
        .outerjoin(Consultant, Consultant.id == Booking.consultant_id)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    if statuses:
        query = query.where(Reminder.status.in_(list(statuses)))
    return [
        ReminderListing(
            id=row.id,
            kind=row.kind,
            status=row.status,
            due_at=row.due_at,
            channel=row.channel,
            booking_id=row.booking_id,
            check_in_id=row.check_in_id,
            citizen_id=row.citizen_id,
            meeting_at=starts_at,
            consultant=consultant,
            note=row.note,
        )
        for row, starts_at, consultant in session.execute(query).all()
    ]
