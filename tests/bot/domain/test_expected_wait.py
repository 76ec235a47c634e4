"""The wait a citizen is promised when handed to a person follows how long citizens really
waited before a consultant took their conversation; without such history, the rule of thumb."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.domain.expected_wait import RecentWait, expected_wait_minutes, plain_minutes
from bot.inbox import conversations
from bot.inbox.auth import Viewer
from bot.kernel.clock import FixedClock
from bot.pipeline.context import FlowContextLoader
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation, OpeningHours, QueueWait
from flows.types import WeeklyOpening
from tests.chat import ChatTester
from tests.conftest import REFERENCE_TIME
from tests.database import recorded_statements
from tests.scheduling_data import make_consultant, make_location

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Copenhagen
OPEN_ALL_DAY = tuple(WeeklyOpening(day, time(0), time(23, 59), "Jobcentret") for day in range(7))


def waited(
    minutes: float, *, taken_ago: timedelta = timedelta(minutes=5), by: int = 1
) -> RecentWait:
    taken_at = NOW - taken_ago
    return RecentWait(taken_at - timedelta(minutes=minutes), taken_at, by)


def estimate(waits: list[RecentWait], waiting_ahead: int = 0, hours: tuple = OPEN_ALL_DAY) -> int:
    return expected_wait_minutes(
        waits, waiting_ahead=waiting_ahead, now=NOW, hours=hours, tz=COPENHAGEN
    )


# -- the estimate -------------------------------------------------------------------------------


def test_without_history_the_rule_of_thumb_is_ten_minutes_per_conversation_in_the_queue() -> None:
    assert estimate([]) == 10
    assert estimate([], waiting_ahead=2) == 30
    # Two waits are too few to go by.
    assert estimate([waited(40), waited(40)], waiting_ahead=2) == 30


def test_the_typical_recent_wait_is_what_the_first_in_line_is_told() -> None:
    assert estimate([waited(12), waited(18), waited(25)]) == 20  # median 18, up to whole 5
    assert estimate([waited(31), waited(32), waited(35), waited(2)]) == 35  # median 31.5
    # One very long wait does not move the median much.
    assert estimate([waited(12), waited(13), waited(14), waited(240)]) == 15


def test_each_conversation_ahead_adds_a_round_for_a_single_consultant() -> None:
    history = [waited(8), waited(9), waited(10)]
    assert estimate(history, waiting_ahead=0) == 10
    assert estimate(history, waiting_ahead=1) == 20
    assert estimate(history, waiting_ahead=3) == 40


def test_consultants_active_in_the_last_hour_share_the_queue() -> None:
    three_at_work = [waited(10, by=1), waited(10, by=2), waited(10, by=3)]
    assert estimate(three_at_work, waiting_ahead=0) == 10  # first in line: never a third
    assert estimate(three_at_work, waiting_ahead=2) == 10  # three in line, three consultants
    assert estimate(three_at_work, waiting_ahead=3) == 20  # the fourth waits for a second round
    # A consultant who took a conversation this morning is not counted as working now.
    one_left = [waited(10, by=1), waited(10, by=2, taken_ago=timedelta(hours=3)), waited(10, by=1)]
    assert estimate(one_left, waiting_ahead=2) == 30


def test_a_short_history_never_promises_less_than_five_minutes() -> None:
    assert estimate([waited(0.5), waited(1), waited(2)]) == 5
    assert plain_minutes(0) == 5
    assert plain_minutes(10 * 60) == 10
    assert plain_minutes(10 * 60 + 1) == 15


def test_waits_that_began_while_closed_measure_the_night_not_the_queue() -> None:
    weekdays_9_to_15 = tuple(
        WeeklyOpening(day, time(9), time(15), "Jobcentret") for day in range(5)
    )
    overnight = [
        RecentWait(datetime(2026, 11, 23, 19, 0, tzinfo=UTC), NOW - timedelta(minutes=50), 1)
        for _ in range(5)
    ]
    daytime = [waited(14), waited(15), waited(16)]
    assert estimate(overnight + daytime, hours=weekdays_9_to_15) == 15
    assert estimate(overnight, hours=weekdays_9_to_15) == 10  # no usable history: the fallback


# -- through the database, as the bot reads it --------------------------------------------------


def _take_after(services: Services, clock: FixedClock, viewer: Viewer, minutes: int) -> None:
    """A citizen asks for a person; a consultant takes the conversation ``minutes`` later."""
    citizen = ChatTester(services, address=f"websession-waited-{minutes}")
    asked = clock.now()
    citizen.say("jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(
            select(Conversation.id).order_by(Conversation.id.desc()).limit(1)
        ).one()
    clock.set(asked + timedelta(minutes=minutes))
    with transaction(services.session_factory) as db:
        assert conversations.claim(db, viewer, conversation_id, clock.now())
    clock.set(asked)


def _anna(services: Services) -> Viewer:
    with transaction(services.session_factory) as db:
        anna = make_consultant(db, "Anna Holm")
        return Viewer(anna.id, anna.team_id, anna.username, "Anna Holm", "consultant", "")


def test_a_citizen_is_told_the_wait_recent_citizens_really_had(
    services: Services, clock: FixedClock
) -> None:
    anna = _anna(services)
    for minutes in (12, 18, 25):
        _take_after(services, clock, anna, minutes)
    with transaction(services.session_factory) as db:
        assert db.scalar(select(func.count()).select_from(QueueWait)) == 3

    clock.set(REFERENCE_TIME + timedelta(minutes=30))
    told = ChatTester(services, address="websession-next").say_text("jeg vil tale med et menneske")
    assert "inden for cirka 20 minutter" in told


def test_with_no_history_the_first_citizen_is_told_ten_minutes(services: Services) -> None:
    told = ChatTester(services, address="websession-first").say_text("jeg vil tale med et menneske")
    assert "inden for cirka 10 minutter" in told


def test_the_staffing_reads_the_latest_waits_only_when_a_wait_will_be_told(
    services: Services,
) -> None:
    monday_noon = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    with transaction(services.session_factory) as db:
        consultant = make_consultant(db)
        office = make_location(db, consultant, name="Jobcentret")
        db.add(OpeningHours(location_id=office.id, weekday=0, opens=time(9), closes=time(15)))
        for minutes in (30, 35, 40):
            taken_at = monday_noon - timedelta(minutes=5)
            db.add(
                QueueWait(
                    consultant_id=consultant.id,
                    waiting_since=taken_at - timedelta(minutes=minutes),
                    taken_at=taken_at,
                )
            )
        # A crisis conversation jumps the queue: its short wait is no ordinary citizen's.
        db.add(QueueWait(priority=100, waiting_since=monday_noon, taken_at=monday_noon))
    loader = FlowContextLoader(services.config.settings)

    with transaction(services.session_factory) as db:
        staffing = loader.staffing(db, monday_noon)
    assert staffing.open_now
    assert staffing.expected_wait_minutes == 35

    # Closed: the citizen is told when we open, not a wait, so no wait is read.
    monday_evening = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    with transaction(services.session_factory) as db, recorded_statements(services.engine) as seen:
        staffing = loader.staffing(db, monday_evening)
    assert not staffing.open_now
    assert staffing.next_opening is not None
    assert not any("inbox_queue_waits" in statement for statement in seen)
