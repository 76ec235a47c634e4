"""The demo jobcenter's past: citizens who had meetings in the last weeks, with outcomes and
answered reminders, so *Statistik* shows its chart on a fresh `make run`.

Made once (the demo citizens are found by name the next time); a demo citizen is reachable on
no channel, so nothing is ever sent to them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import (
    Booking,
    BookingStatus,
    Citizen,
    Consultant,
    Location,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Slot,
    Team,
)

# Invented names that say what they are, so nobody mistakes them for a real person.
DEMO_CITIZENS = ("Demo Mikkel Hansen", "Demo Sara Ali", "Demo Jens Olsen", "Demo Fatima Noor")
POLICY = "48h+2h"
TOPICS = ("jobonsker", "fravaer", "loen_vs_pension")
PAST_WEEKS = 6
# Per meeting in a week, cycled: what happened and whether the citizen answered JA.
OUTCOMES = (
    (BookingStatus.ATTENDED, True),
    (BookingStatus.ATTENDED, True),
    (BookingStatus.NO_SHOW, False),
    (BookingStatus.ATTENDED, False),
    (BookingStatus.CANCELLED, False),
    (BookingStatus.ATTENDED, True),
    (BookingStatus.NO_SHOW, True),
)


def seed_history(
    session: Session,
    now: datetime,
    tz: ZoneInfo,
    team: Team,
    consultant: Consultant,
    location: Location,
) -> int:
    """Past bookings of the demo citizens with outcomes and reminders; 0 when made before."""
    found = session.scalars(
        select(Citizen.id).where(Citizen.display_name == DEMO_CITIZENS[0])
    ).first()
    if found is not None:
        return 0
    citizens = [
        Citizen(display_name=name, language="da", team_id=team.id, created_at=now, last_seen_at=now)
        for name in DEMO_CITIZENS
    ]
    session.add_all(citizens)
    session.flush()
    today = now.astimezone(tz).date()
    made = 0
    for weeks_ago in range(PAST_WEEKS, 0, -1):
        monday = today - timedelta(days=today.weekday(), weeks=weeks_ago)
        # A few more meetings in recent weeks, so the chart is not flat.
        for n in range(3 + weeks_ago % 3 + (PAST_WEEKS - weeks_ago) // 2):
            status, answered = OUTCOMES[(weeks_ago + n) % len(OUTCOMES)]
            starts_at = datetime.combine(
                monday + timedelta(days=n % 5), time(9 + n % 6), tzinfo=tz
            ).astimezone(now.tzinfo)
            _past_booking(
                session,
                citizens[n % len(citizens)],
                consultant,
                location,
                starts_at,
                status,
                answered,
            )
            made += 1
    session.flush()
    return made


def _past_booking(
    session: Session,
    citizen: Citizen,
    consultant: Consultant,
    location: Location,
    starts_at: datetime,
    status: BookingStatus,
    answered: bool,
) -> None:
    ends_at = starts_at + timedelta(minutes=45)
    slot = Slot(
        consultant_id=consultant.id,
        location_id=location.id,
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=starts_at - timedelta(days=10),
    )
    session.add(slot)
    session.flush()
    reminded_at = starts_at - timedelta(hours=48)
    booking = Booking(
        citizen_id=citizen.id,
        slot_id=slot.id,
        consultant_id=consultant.id,
        location_id=location.id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status.value,
        topic=TOPICS[citizen.id % len(TOPICS)],
        reminder_policy=POLICY,
        booked_via="inbox",
        created_at=starts_at - timedelta(days=7),
        confirmed_at=reminded_at + timedelta(hours=1) if answered else None,
        cancelled_at=reminded_at + timedelta(hours=3)
        if status == BookingStatus.CANCELLED
        else None,
    )
    session.add(booking)
    session.flush()
    session.add(
        Reminder(
            dedupe_key=f"demo-history:{booking.id}:48",
            citizen_id=citizen.id,
            booking_id=booking.id,
            kind=ReminderKind.BEFORE.value,
            hours_before=48.0,
            planned_at=reminded_at,
            due_at=reminded_at,
            channel="sms",
            status=ReminderStatus.SENT.value,
            policy=POLICY,
            sent_at=reminded_at,
            answered_at=reminded_at + timedelta(hours=1) if answered else None,
            answer="yes" if answered else None,
        )
    )
