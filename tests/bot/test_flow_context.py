"""What the core loads for the flows: here the weekly opening hours of each place."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import delete

from bot.db import transaction
from bot.flow_context import FlowContextLoader
from bot.models import Conversation, OpeningHours
from bot.services import Services
from flows.types import FlowContext, WeeklyOpening
from tests.scheduling_data import make_citizen, make_consultant, make_location

MONDAY_EVENING = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)  # 20:30 in Copenhagen


def load(services: Services, loader: FlowContextLoader, now: datetime) -> FlowContext:
    with transaction(services.session_factory) as session:
        citizen = make_citizen(session, channel="web", now=now)
        conversation = Conversation(citizen_id=citizen.id, flow_state={}, created_at=now)
        session.add(conversation)
        session.flush()
        return loader(session, citizen, conversation, "web", now)


def test_the_weekly_hours_come_with_their_place_and_drive_the_staffing(
    services: Services,
) -> None:
    with transaction(services.session_factory) as session:
        consultant = make_consultant(session)
        room = make_location(
            session, consultant, name="Åben rådgivning", address="Boligvej 12",
            kind="open_counselling",
        )  # fmt: skip
        office = make_location(session, consultant, name="Jobcentret", address=None)
        session.add_all(
            [
                OpeningHours(location_id=room.id, weekday=3, opens=time(13), closes=time(17)),
                OpeningHours(location_id=office.id, weekday=1, opens=time(9), closes=time(15)),
                OpeningHours(location_id=room.id, weekday=1, opens=time(10), closes=time(14)),
            ]
        )
    loader = FlowContextLoader(services.config.settings)

    context = load(services, loader, MONDAY_EVENING)

    assert context.opening_hours == (
        WeeklyOpening(1, time(10), time(14), "Åben rådgivning", "Boligvej 12", "open_counselling"),
        WeeklyOpening(3, time(13), time(17), "Åben rådgivning", "Boligvej 12", "open_counselling"),
        WeeklyOpening(1, time(9), time(15), "Jobcentret", None, "office"),
    )
    assert not context.staffing.open_now
    assert context.staffing.next_opening == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_the_hours_are_kept_for_the_shared_moment_like_the_free_times(services: Services) -> None:
    with transaction(services.session_factory) as session:
        consultant = make_consultant(session)
        office = make_location(session, consultant, name="Jobcentret")
        session.add(OpeningHours(location_id=office.id, weekday=1, opens=time(9), closes=time(15)))
    loader = FlowContextLoader(services.config.settings, shared_ttl_seconds=60)
    assert len(load(services, loader, MONDAY_EVENING).opening_hours) == 1

    with transaction(services.session_factory) as session:
        session.execute(delete(OpeningHours))
    assert len(load(services, loader, MONDAY_EVENING).opening_hours) == 1  # still cached
    loader.shared.clear()
    assert load(services, loader, MONDAY_EVENING).opening_hours == ()
    assert load(services, loader, MONDAY_EVENING).staffing.open_now  # no hours: no promise
