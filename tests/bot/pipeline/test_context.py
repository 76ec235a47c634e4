"""What the flows are told: facts read when a flow asks, free times that follow bookings, and
the weekly opening hours of each place."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import delete, select

from bot.cli.demo import seed_demo
from bot.pipeline.context import FlowContextLoader
from bot.services import Services
from bot.store.conversations import OpenConversation
from bot.store.db import message_transaction, transaction
from bot.store.models import Booking, Conversation, OpeningHours
from flows.types import KnownFacts, WeeklyOpening
from tests.chat import ChatTester
from tests.database import recorded_statements
from tests.scheduling_data import make_citizen, make_consultant, make_location


def _seed(services: Services) -> None:
    with transaction(services.session_factory) as session:
        seed_demo(session, services.clock.now(), services.config.settings.tz)


def _first_offer(chat: ChatTester) -> str:
    replies = chat.say("kan jeg få en tid")
    return replies[0].choices[0]


def test_a_greeting_reads_no_meetings_slots_queue_or_reminders(
    chat: ChatTester, services: Services
) -> None:
    _seed(services)
    chat.say("hej")
    with recorded_statements(services.engine) as seen:
        assert "chatbot" in chat.say_text("hej")
    read = " ".join(seen).lower()
    assert "from bookings" not in read
    assert "from slots" not in read
    assert "count(*)" not in read  # the flood check reads the conversation row it locked
    assert "status = 'waiting'" not in read
    # No reminder awaits an answer (the sender's own look-up says so): none is loaded.
    assert not any(statement.lower().startswith("select reminders") for statement in seen)
    # The sender (citizen and locked conversation), the message, the reply and the
    # conversation's flood count: four statements; three on PostgreSQL, where the last two are
    # one.
    expected = 3 if services.engine.dialect.name == "postgresql" else 4
    assert len([s for s in seen if not s.startswith("BEGIN")]) == expected


def test_asking_for_the_meeting_reads_the_meeting(chat: ChatTester, services: Services) -> None:
    _seed(services)
    with recorded_statements(services.engine) as seen:
        chat.say("hvornår er mit møde")
    assert any("FROM bookings" in statement for statement in seen)


def test_a_booked_time_is_not_offered_to_the_next_citizen(services: Services) -> None:
    _seed(services)
    anna = ChatTester(services, address="citizen-anna-1")
    bo = ChatTester(services, address="citizen-bo-22")
    taken = _first_offer(anna)
    anna.say("1")
    assert "booket" in anna.say_text("ja")
    with recorded_statements(services.engine) as seen:
        offered = bo.say("kan jeg få en tid")[0].choices
    assert taken not in offered
    # The cached free times lost the booked slot: no reload of the slot list was needed.
    assert not any("FROM slots" in statement for statement in seen)


def test_a_cancelled_time_is_offered_again_at_once(services: Services) -> None:
    _seed(services)
    anna = ChatTester(services, address="citizen-anna-1")
    bo = ChatTester(services, address="citizen-bo-22")
    taken = _first_offer(anna)
    anna.say("1")
    anna.say("ja")
    assert taken not in bo.say("kan jeg få en tid")[0].choices
    anna.say("aflys min tid")
    anna.say("ja")
    with transaction(services.session_factory) as session:
        assert session.scalars(select(Booking.status)).all() == ["cancelled"]
    cai = ChatTester(services, address="citizen-cai-333")
    assert taken in cai.say("kan jeg få en tid")[0].choices


MONDAY_EVENING = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)  # 20:30 in Copenhagen


def load(services: Services, loader: FlowContextLoader, now: datetime) -> KnownFacts:
    """The opening hours and staffing a flow would read (inside the transaction, as flows do)."""
    with message_transaction(services.engine) as work:
        session = work.session
        citizen = make_citizen(session, channel="web", now=now)
        conversation = Conversation(citizen_id=citizen.id, flow_state={}, created_at=now)
        session.add(conversation)
        session.flush()
        open_conversation = OpenConversation(
            citizen_id=citizen.id,
            conversation_id=conversation.id,
            status=conversation.status,
            language="da",
            flow_state={},
            last_channel="web",
            citizen_seen_at=now,
        )
        context = loader(work, open_conversation, "web", now)
        return KnownFacts(opening_hours=context.opening_hours, staffing=context.staffing)


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
