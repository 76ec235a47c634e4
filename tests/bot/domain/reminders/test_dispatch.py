"""The reminder dispatcher sends each due reminder exactly once, as an outbox message."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain.reminders.dispatch import DispatchCounts
from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import create_session_factory, transaction
from bot.store.models import Booking, ChannelIdentity, Message, Reminder, ReminderStatus
from tests.database import make_engine
from tests.reminder_dispatch import MEETING, NOW, book, dispatcher_for, local, outbox, rows
from tests.scheduling_data import make_booking, make_citizen, make_consultant, make_location


def test_a_due_reminder_becomes_one_queued_sms_from_the_system(services: Services) -> None:
    booking_id = book(services)
    clock = FixedClock(local(2026, 11, 23, 10, 0) + timedelta(minutes=1))
    counts = dispatcher_for(services, clock).dispatch_due()
    assert counts.sent == 1
    [message] = outbox(services)
    assert (message.direction, message.sender, message.status) == ("out", "system", "queued")
    assert message.channel == "sms"
    assert message.address.startswith("+45")
    assert message.choices == []
    # The directions ("Opgang B") would make it a second SMS: the address is kept instead.
    assert message.text == (
        "Husk din tid hos Mette Hansen onsdag 25. november kl. 10.00 på Jobcenter Nord, "
        "Nørregade 4. Svar JA hvis du kommer, NEJ hvis du ikke kan, FLYT for en ny tid."
    )
    sent = [r for r in rows(services, booking_id) if r.status == ReminderStatus.SENT]
    assert [(r.hours_before, r.message_id) for r in sent] == [(48, message.id)]


def test_a_restarted_or_repeated_dispatcher_sends_nothing_twice(services: Services) -> None:
    book(services)
    clock = FixedClock(MEETING - timedelta(hours=47))
    assert dispatcher_for(services, clock).dispatch_due().sent == 1
    # A new process: a fresh dispatcher on the same database.
    assert dispatcher_for(services, clock).dispatch_due().handled == 0
    assert len(outbox(services)) == 1


def test_after_downtime_only_the_latest_useful_reminder_is_sent(services: Services) -> None:
    booking_id = book(services)
    # Down from before the 48-hour reminder until one hour before the meeting.
    counts = dispatcher_for(services, FixedClock(MEETING - timedelta(hours=1))).dispatch_due()
    assert (counts.sent, counts.skipped) == (1, 1)
    by_lead = {r.hours_before: r for r in rows(services, booking_id)}
    assert by_lead[2].status == "sent"
    assert (by_lead[48].status, by_lead[48].note) == ("skipped", "a later reminder is due")
    [message] = outbox(services)
    assert "i dag kl. 10.00" in (message.text or "")


def test_reminders_of_a_meeting_that_has_passed_are_dropped(services: Services) -> None:
    booking_id = book(services)
    counts = dispatcher_for(services, FixedClock(MEETING + timedelta(minutes=5))).dispatch_due()
    assert (counts.sent, counts.skipped) == (0, 2)
    assert {r.note for r in rows(services, booking_id)} == {"meeting has started"}
    assert outbox(services) == []


def test_a_citizen_who_opted_out_of_reminders_gets_none(services: Services) -> None:
    book(services, reminders_opted_out=True)
    counts = dispatcher_for(services, FixedClock(MEETING - timedelta(hours=1))).dispatch_due()
    assert counts.sent == 0
    assert outbox(services) == []


def test_an_sms_opt_out_means_no_sms_but_telegram_still_works(services: Services) -> None:
    only_sms = book(services, sms_opted_out=True)
    also_telegram = book(services, sms_opted_out=True)
    with transaction(services.session_factory) as session:
        citizen = session.get(Booking, also_telegram).citizen  # type: ignore[union-attr]
        session.add(
            ChannelIdentity(
                citizen_id=citizen.id, channel="telegram", address="4711", last_seen_at=NOW
            )
        )
    dispatcher_for(services, FixedClock(MEETING - timedelta(hours=1))).dispatch_due()
    assert [r.status for r in rows(services, only_sms)][-1] == "failed"
    [message] = outbox(services)
    assert (message.channel, message.address) == ("telegram", "4711")
    assert message.choices == ["JA", "NEJ", "FLYT"]


def test_an_sms_found_due_in_quiet_hours_waits_until_eight(services: Services) -> None:
    booking_id = book(services, starts_at=local(2026, 11, 26, 12, 0))
    late_evening = local(2026, 11, 23, 22, 30)  # the 48-hour reminder is 12:00 on the 24th
    # A reminder planned for 12:00 is found due at 22:30 only if the clock jumped; force it.
    with transaction(services.session_factory) as session:
        row = session.scalars(select(Reminder).where(Reminder.booking_id == booking_id)).first()
        assert row is not None
        row.due_at = late_evening - timedelta(minutes=1)
    counts = dispatcher_for(services, FixedClock(late_evening)).dispatch_due()
    assert counts.postponed == 1
    assert rows(services, booking_id)[0].due_at == local(2026, 11, 24, 8, 0)
    assert outbox(services) == []


def test_two_nodes_dispatching_at_once_send_every_reminder_exactly_once(
    services: Services, database_url: str
) -> None:
    bookings = 120
    with transaction(services.session_factory) as session:
        consultant = make_consultant(session)
        location = make_location(session, consultant)
        for number in range(bookings):
            citizen = make_citizen(session, now=NOW)
            booking = make_booking(
                session,
                citizen,
                MEETING + timedelta(minutes=number),
                consultant=consultant,
                location=location,
                now=NOW,
            )
            services.booking_listeners.changed(session, booking, NOW)
    clock = FixedClock(MEETING - timedelta(hours=46))  # every 48-hour reminder is due
    engines = [make_engine(database_url), make_engine(database_url)]
    results: list[DispatchCounts] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def node(engine_index: int) -> None:
        try:
            node_dispatcher = dispatcher_for(services, clock, batch_size=7)
            node_dispatcher.session_factory = create_session_factory(engines[engine_index])
            start.wait()
            results.append(node_dispatcher.dispatch_due())
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=node, args=(index,)) for index in range(len(engines))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for engine in engines:
            engine.dispose()
    assert errors == []
    assert sum(result.sent for result in results) == bookings
    with transaction(services.session_factory) as session:
        messages = session.scalar(select(func.count()).select_from(Message))
        sent = session.scalars(
            select(Reminder.message_id).where(Reminder.status == ReminderStatus.SENT.value)
        ).all()
    assert messages == bookings
    assert len(set(sent)) == bookings


@pytest.mark.parametrize("weeks", [1, 4])
def test_a_sent_check_in_plans_the_next_one(services: Services, weeks: int) -> None:
    from bot.domain.reminders.planning import ReminderPlanner
    from bot.domain.reminders.policy import ReminderPolicy

    planner = ReminderPlanner(ReminderPolicy.from_settings(services.config.settings))
    with transaction(services.session_factory) as session:
        citizen = make_citizen(session, now=NOW)
        check_in = planner.set_check_in(session, citizen, weeks, NOW)
        assert check_in is not None
        check_in_id = check_in.id
    first_due = local(2026, 11, 23, 10, 0) + timedelta(weeks=weeks)
    dispatcher_for(services, FixedClock(first_due)).dispatch_due()
    with transaction(services.session_factory) as session:
        due = session.scalars(
            select(Reminder.due_at, Reminder.status)
            .where(Reminder.check_in_id == check_in_id)
            .order_by(Reminder.id)
        ).all()
    assert len(due) == 2
    [message] = outbox(services)
    assert "Hvordan går det?" in (message.text or "")


def test_a_reminder_that_cannot_be_worded_fails_alone_and_the_rest_are_sent(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.domain.reminders import dispatch
    from bot.kernel.errors import ContentError

    first = book(services)
    second = book(services)
    original = dispatch.meeting_reminder_text
    calls: list[int] = []

    def fails_the_first_time(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ContentError("no content for 'reminders.before'")
        return original(*args, **kwargs)

    monkeypatch.setattr(dispatch, "meeting_reminder_text", fails_the_first_time)
    counts = dispatcher_for(services, FixedClock(MEETING - timedelta(hours=47))).dispatch_due()
    assert (counts.sent, counts.failed) == (1, 1)
    assert [rows(services, first)[0].status, rows(services, second)[0].status] == [
        "failed",
        "sent",
    ]
    assert len(outbox(services)) == 1


def test_an_sms_due_just_before_quiet_hours_still_goes_when_the_pass_comes_a_bit_late(
    services: Services,
) -> None:
    booking_id = book(services, starts_at=local(2026, 11, 25, 8, 30))
    [evening_reminder] = [r for r in rows(services, booking_id) if r.hours_before == 2]
    assert evening_reminder.due_at == local(2026, 11, 24, 20, 59)
    counts = dispatcher_for(services, FixedClock(local(2026, 11, 24, 21, 2))).dispatch_due()
    assert (counts.sent, counts.postponed) == (1, 0)


def test_a_skipped_check_in_keeps_the_rhythm(services: Services) -> None:
    from bot.domain.reminders.planning import ReminderPlanner
    from bot.domain.reminders.policy import ReminderPolicy

    planner = ReminderPlanner(ReminderPolicy.from_settings(services.config.settings))
    with transaction(services.session_factory) as session:
        citizen = make_citizen(session, now=NOW, reminders_opted_out=True)
        check_in = planner.set_check_in(session, citizen, 1, NOW)
        assert check_in is not None
        check_in_id = check_in.id
    counts = dispatcher_for(services, FixedClock(local(2026, 11, 30, 10, 0))).dispatch_due()
    assert counts.skipped == 1
    with transaction(services.session_factory) as session:
        planned = session.execute(
            select(Reminder.due_at, Reminder.status)
            .where(Reminder.check_in_id == check_in_id)
            .order_by(Reminder.id)
        ).all()
    assert [tuple(row) for row in planned] == [
        (local(2026, 11, 30, 10, 0), "skipped"),
        (local(2026, 12, 7, 10, 0), "scheduled"),
    ]
