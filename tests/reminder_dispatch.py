"""Bookings with planned reminders, a dispatcher over the test services and what it wrote:
shared by the reminder dispatch tests and the scheduler's."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain.reminders.dispatch import ReminderDispatcher
from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Message, Reminder
from tests.conftest import REFERENCE_TIME
from tests.scheduling_data import make_booking, make_citizen, make_consultant, make_location

NOW = REFERENCE_TIME  # Monday 2026-11-23 09:12 in Copenhagen
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MEETING = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 10:00 local


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=COPENHAGEN).astimezone(UTC)


def dispatcher_for(
    services: Services, clock: FixedClock, *, batch_size: int = 200
) -> ReminderDispatcher:
    settings = services.config.settings
    settings = settings.model_copy(
        update={"reminders": settings.reminders.model_copy(update={"batch_size": batch_size})}
    )
    return ReminderDispatcher(
        session_factory=services.session_factory,
        clock=clock,
        content=services.content,
        settings=settings,
    )


def book(services: Services, starts_at: datetime = MEETING, **citizen_fields: object) -> int:
    with transaction(services.session_factory) as session:
        citizen = make_citizen(session, now=NOW, **citizen_fields)  # type: ignore[arg-type]
        consultant = make_consultant(session, "Mette Hansen")
        location = make_location(session, consultant, directions="Opgang B")
        booking = make_booking(
            session, citizen, starts_at, consultant=consultant, location=location, now=NOW
        )
        services.booking_listeners.changed(session, booking, NOW)
        return booking.id


def rows(services: Services, booking_id: int) -> list[Reminder]:
    with transaction(services.session_factory) as session:
        return list(
            session.scalars(
                select(Reminder).where(Reminder.booking_id == booking_id).order_by(Reminder.id)
            ).all()
        )


def outbox(services: Services) -> list[Message]:
    with transaction(services.session_factory) as session:
        return list(session.scalars(select(Message).order_by(Message.id)).all())
