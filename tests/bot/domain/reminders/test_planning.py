"""A booking's reminders follow the booking: planned, moved, cancelled, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.reminders.answers import load_pending_reminder
from bot.domain.reminders.statistics import reminder_statistics
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Booking, BookingStatus, CheckIn, Reminder
from tests.conftest import REFERENCE_TIME
from tests.scheduling_data import make_booking, make_citizen

NOW = REFERENCE_TIME  # Monday 2026-11-23 09:12 in Copenhagen
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=COPENHAGEN).astimezone(UTC)


def reminders(session: Session, booking: Booking) -> list[tuple[str, float | None, datetime, str]]:
    rows = session.scalars(
        select(Reminder).where(Reminder.booking_id == booking.id).order_by(Reminder.id)
    ).all()
    return [(r.kind, r.hours_before, r.due_at, r.status) for r in rows]


def book(services: Services, session: Session, starts_at: datetime, **fields: object) -> Booking:
    citizen = make_citizen(session, now=NOW)
    booking = make_booking(session, citizen, starts_at, now=NOW, **fields)  # type: ignore[arg-type]
    services.booking_listeners.changed(session, booking, NOW)
    return booking


def test_a_booking_made_in_chat_gets_a_48_and_a_2_hour_reminder(services: Services) -> None:
    with transaction(services.session_factory) as session:
        booking = book(services, session, local(2026, 11, 27, 10, 0))
        assert reminders(session, booking) == [
            ("before", 48, local(2026, 11, 25, 10, 0), "scheduled"),
            ("before", 2, local(2026, 11, 27, 8, 0), "scheduled"),
        ]
        assert booking.reminder_policy == "48h+2h"


def test_a_booking_made_by_a_consultant_also_gets_a_confirmation_now(services: Services) -> None:
    with transaction(services.session_factory) as session:
        booking = book(services, session, local(2026, 11, 27, 10, 0), booked_via="inbox")
        assert reminders(session, booking)[0] == ("confirmation", None, NOW, "scheduled")


def test_calling_the_listener_again_plans_nothing_twice(services: Services) -> None:
    with transaction(services.session_factory) as session:
        booking = book(services, session, local(2026, 11, 27, 10, 0), booked_via="inbox")
        first = reminders(session, booking)
        services.booking_listeners.changed(session, booking, NOW + timedelta(minutes=5))
        services.booking_listeners.changed(session, booking, NOW + timedelta(hours=1))
        assert reminders(session, booking) == first


def test_moving_a_booking_cancels_its_reminders_and_plans_new_ones(services: Services) -> None:
    with transaction(services.session_factory) as session:
        booking = book(services, session, local(2026, 11, 27, 10, 0))
        booking.starts_at = local(2026, 12, 2, 13, 0)
        booking.ends_at = booking.starts_at + timedelta(minutes=45)
        services.booking_listeners.changed(session, booking, NOW)
        assert reminders(session, booking) == [
            ("before", 48, local(2026, 11, 25, 10, 0), "cancelled"),
            ("before", 2, local(2026, 11, 27, 8, 0), "cancelled"),
            ("before", 48, local(2026, 11, 30, 13, 0), "scheduled"),
            ("before", 2, local(2026, 12, 2, 11, 0), "scheduled"),
        ]


def test_cancelling_a_booking_cancels_every_reminder(services: Services) -> None:
    with transaction(services.session_factory) as session:
        booking = book(services, session, local(2026, 11, 27, 10, 0), booked_via="inbox")
        booking.status = BookingStatus.CANCELLED.value
        services.booking_listeners.changed(session, booking, NOW)
        assert {status for *_, status in reminders(session, booking)} == {"cancelled"}


def test_a_booking_soon_gets_only_the_reminders_still_ahead(services: Services) -> None:
    with transaction(services.session_factory) as session:
        booking = book(services, session, NOW + timedelta(hours=5))
        assert reminders(session, booking) == [("before", 2, NOW + timedelta(hours=3), "scheduled")]
        past = book(services, session, NOW - timedelta(hours=1))
        assert reminders(session, past) == []


def test_an_early_meeting_s_sms_reminder_comes_the_evening_before(services: Services) -> None:
    with transaction(services.session_factory) as session:
        booking = book(services, session, local(2026, 11, 27, 8, 30))
        assert reminders(session, booking)[1] == (
            "before",
            2,
            local(2026, 11, 26, 20, 59),
            "scheduled",
        )


def test_bookings_of_opted_out_citizens_are_counted_under_no_policy(services: Services) -> None:
    with transaction(services.session_factory) as session:
        citizen = make_citizen(session, now=NOW, reminders_opted_out=True)
        booking = make_booking(session, citizen, local(2026, 11, 27, 10, 0), now=NOW)
        booking.reminder_policy = "48h+2h"  # as the booking flow records the configured policy
        services.booking_listeners.changed(session, booking, NOW)
        assert booking.reminder_policy is None
        assert reminder_statistics(session)[0].policy == "none"


def test_statistics_count_confirmed_cancelled_and_no_shows_per_policy(services: Services) -> None:
    with transaction(services.session_factory) as session:
        outcomes = [
            ("48h+2h", BookingStatus.ATTENDED, True),
            ("48h+2h", BookingStatus.NO_SHOW, False),
            ("48h+2h", BookingStatus.CANCELLED, False),
            ("48h+2h", BookingStatus.CONFIRMED, True),
            ("none", BookingStatus.NO_SHOW, False),
        ]
        for number, (policy, status, confirmed) in enumerate(outcomes):
            citizen = make_citizen(session, now=NOW)
            booking = make_booking(session, citizen, local(2026, 11, 10 + number, 10, 0), now=NOW)
            booking.reminder_policy = policy
            booking.status = status.value
            booking.confirmed_at = NOW if confirmed else None
        session.flush()
        stats = {row.policy: row for row in reminder_statistics(session)}
    assert (stats["48h+2h"].bookings, stats["48h+2h"].confirmed) == (4, 2)
    assert (stats["48h+2h"].cancelled, stats["48h+2h"].no_show) == (1, 1)
    assert (stats["none"].bookings, stats["none"].no_show) == (1, 1)


def test_a_check_in_every_two_weeks_is_planned_and_can_be_stopped(services: Services) -> None:
    from bot.domain.reminders.planning import ReminderPlanner
    from bot.domain.reminders.policy import ReminderPolicy

    planner = ReminderPlanner(ReminderPolicy.from_settings(services.config.settings))
    with transaction(services.session_factory) as session:
        citizen = make_citizen(session, now=NOW)
        check_in = planner.set_check_in(session, citizen, 2, NOW)
        assert isinstance(check_in, CheckIn)
        rows = session.scalars(select(Reminder).where(Reminder.check_in_id == check_in.id)).all()
        assert [(r.kind, r.due_at, r.status) for r in rows] == [
            ("check_in", local(2026, 12, 7, 10, 0), "scheduled")
        ]
        planner.set_check_in(session, citizen, None, NOW)
        assert rows[0].status == "cancelled"
        assert not check_in.active


def test_only_a_sent_unanswered_reminder_of_an_active_booking_is_pending(
    services: Services,
) -> None:
    content = services.content
    with transaction(services.session_factory) as session:
        booking = book(services, session, local(2026, 11, 24, 10, 0))
        citizen_id = booking.citizen_id
        assert citizen_id is not None

        def pending() -> object:
            return load_pending_reminder(
                session, citizen_id, NOW, content=content, language="da", tz=COPENHAGEN
            )

        assert pending() is None  # nothing sent yet
        row = session.scalars(select(Reminder).where(Reminder.booking_id == booking.id)).first()
        assert row is not None
        row.status, row.sent_at = "sent", NOW
        session.flush()
        found = pending()
        assert found is not None
        assert found.booking_id == booking.id  # type: ignore[attr-defined]
        assert found.when == "i morgen kl. 10.00"  # type: ignore[attr-defined]
        row.answered_at = NOW
        assert pending() is None
