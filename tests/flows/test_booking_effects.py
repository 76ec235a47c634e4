"""The flows' effects carried out on the database: bookings (never double), absence notices,
job profiles, opt-out, deleting a citizen's data; and the demo jobcenter seed."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli.demo import seed_demo
from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    Booking,
    Citizen,
    Conversation,
    JobProfile,
    Message,
    OpeningHours,
    Slot,
)
from tests.chat import ChatTester


def _seed(services: Services) -> None:
    with transaction(services.session_factory) as session:
        seed_demo(session, services.clock.now(), services.config.settings.tz)


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _book_first_slot(chat: ChatTester) -> None:
    chat.say("book en tid")
    chat.say("1")
    assert "booket" in chat.say_text("ja")


def test_demo_seed_is_idempotent_and_tops_up_slots_as_time_passes(
    services: Services, clock: FixedClock
) -> None:
    _seed(services)
    with transaction(services.session_factory) as session:
        slots = _count(session, Slot)
        hours = _count(session, OpeningHours)
    _seed(services)
    with transaction(services.session_factory) as session:
        assert _count(session, Slot) == slots
        assert _count(session, OpeningHours) == hours
    clock.set(clock.now() + timedelta(days=7))
    _seed(services)
    with transaction(services.session_factory) as session:
        assert _count(session, Slot) > slots


def test_a_booking_records_policy_channel_and_tells_the_listeners(services: Services) -> None:
    _seed(services)
    changed: list[tuple[int, str]] = []
    services.booking_listeners.add(
        lambda _s, booking, _now: changed.append((booking.id, booking.status))
    )
    chat = ChatTester(services, channel=Channel.SMS, address="+4512345678")
    _book_first_slot(chat)
    with transaction(services.session_factory) as session:
        booking = session.scalars(select(Booking)).one()
        assert booking.reminder_policy == services.config.settings.reminders.policy
        assert booking.booked_via == "sms"
        assert changed == [(booking.id, "booked")]
        citizen = session.scalars(select(Citizen)).one()
        assert citizen.contact_consultant_id == booking.consultant_id


def test_moving_cancels_the_old_booking_links_the_new_and_tells_the_listeners(
    services: Services,
) -> None:
    _seed(services)
    statuses: list[str] = []
    services.booking_listeners.add(lambda _s, booking, _now: statuses.append(booking.status))
    chat = ChatTester(services)
    _book_first_slot(chat)
    chat.say("jeg vil gerne flytte min tid")
    chat.say("2")
    assert "flyttet" in chat.say_text("ja")
    with transaction(services.session_factory) as session:
        old, new = session.scalars(select(Booking).order_by(Booking.id)).all()
        assert old.status == "cancelled"
        assert old.cancel_reason == "rescheduled"
        assert new.rescheduled_from_id == old.id
        assert new.status == "booked"
    assert statuses == ["booked", "cancelled", "booked"]


def test_two_citizens_confirming_the_same_slot_at_once_never_double_book(
    services: Services,
) -> None:
    _seed(services)
    chats = [ChatTester(services, address=f"racer-{n}") for n in range(2)]
    for chat in chats:
        chat.say("book en tid")
        assert "Skal jeg booke" in chat.say_text("1")
    barrier = threading.Barrier(len(chats))
    answers: list[str] = []

    def confirm(chat: ChatTester) -> None:
        barrier.wait()
        answers.append(chat.say_text("ja"))

    threads = [threading.Thread(target=confirm, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted("booket" in answer for answer in answers) == [False, True]
    loser = next(answer for answer in answers if "booket" not in answer)
    assert "taget af en anden" in loser
    with transaction(services.session_factory) as session:
        assert _count(session, Booking) == 1


def test_absence_notice_and_job_profile_are_stored_for_the_consultant(
    services: Services,
) -> None:
    chat = ChatTester(services)
    assert "Er det rigtigt?" in chat.say_text("mit barn er sygt")
    chat.say("ja")
    chat.say("jeg vil gerne have et job")
    for answer in ("rengøring", "8 timer", "mandag", "nej"):
        chat.say(answer)
    with transaction(services.session_factory) as session:
        notice = session.scalars(select(AbsenceNotice)).one()
        assert notice.reason == "child_sick"
        assert notice.reported_at == services.clock.now()
        assert notice.conversation_id is not None
        profile = session.scalars(select(JobProfile)).one()
        assert profile.kinds_of_work == ["rengøring"]
        assert profile.hours_per_week == 8.0


def test_opting_out_stops_reminders_but_not_answers(services: Services) -> None:
    chat = ChatTester(services)
    assert "slå påmindelser" in chat.say_text("jeg vil ikke have flere påmindelser")
    assert "ikke flere påmindelser" in chat.say_text("ja")
    assert "chatbot" in chat.say_text("hej")
    with transaction(services.session_factory) as session:
        assert session.scalars(select(Citizen.reminders_opted_out)).one() is True


def test_deleting_my_data_keeps_bookings_detached_for_statistics(services: Services) -> None:
    _seed(services)
    chat = ChatTester(services)
    _book_first_slot(chat)
    chat.say("jeg er syg")
    chat.say("slet mine oplysninger")
    assert "slettet" in chat.say_text("ja")
    with transaction(services.session_factory) as session:
        assert _count(session, AbsenceNotice) == 0
        booking = session.scalars(select(Booking)).one()
        assert booking.citizen_id is None
        assert booking.status == "cancelled"
        assert _count(session, Message) == 2  # the confirmation and its answer
        assert _count(session, Conversation) == 1
    assert "chatbot" in chat.say_text("hej")
