"""What the flows are told: facts read when a flow asks, free times that follow bookings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from bot.db import transaction
from bot.demo import seed_demo
from bot.models import Booking
from bot.services import Services
from tests.chat import ChatTester


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = services.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _seed(services: Services) -> None:
    with transaction(services.session_factory) as session:
        seed_demo(session, services.clock.now(), services.config.settings.tz)


def _first_offer(chat: ChatTester) -> str:
    replies = chat.say("kan jeg få en tid")
    return replies[0].choices[0]


def test_a_greeting_reads_no_meetings_slots_or_queue(chat: ChatTester, services: Services) -> None:
    _seed(services)
    with statements(services) as seen:
        assert "chatbot" in chat.say_text("hej")
    read = " ".join(seen).lower()
    assert "from bookings" not in read
    assert "from slots" not in read
    assert "count(*)" in read  # the flood check, nothing more
    assert "status = 'waiting'" not in read


def test_asking_for_the_meeting_reads_the_meeting(chat: ChatTester, services: Services) -> None:
    _seed(services)
    with statements(services) as seen:
        chat.say("hvornår er mit møde")
    assert any("FROM bookings" in statement for statement in seen)


def test_a_booked_time_is_not_offered_to_the_next_citizen(services: Services) -> None:
    _seed(services)
    anna = ChatTester(services, address="citizen-anna-1")
    bo = ChatTester(services, address="citizen-bo-22")
    taken = _first_offer(anna)
    anna.say("1")
    assert "booket" in anna.say_text("ja")
    with statements(services) as seen:
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
