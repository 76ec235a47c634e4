"""Opening hours, slots, exceptions that cancel meetings, and marking bookings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    Booking,
    Citizen,
    Location,
    Message,
    OpeningHours,
    Slot,
)
from tests.bot.inbox.conftest import InboxClient, MakeConsultant, team_id
from tests.chat import ChatTester


@dataclass
class Setup:
    consultant_id: int
    location_id: int
    citizen_id: int


@pytest.fixture
def setup(services: Services, make_consultant: MakeConsultant, inbox: InboxClient) -> Setup:
    anna = make_consultant("anna")
    ChatTester(services, Channel.TELEGRAM, "tg-5551").say("hej")
    with transaction(services.session_factory) as db:
        location = Location(team_id=anna.team_id, name="Jobcenter Nord, Vestergade 3")
        db.add(location)
        db.flush()
        citizen = db.scalars(select(Citizen)).one()
        citizen.team_id = anna.team_id
        setup = Setup(anna.id, location.id, citizen.id)
    inbox.login("anna")
    return setup


@pytest.fixture
def listener_calls(services: Services) -> Iterator[list[tuple[int, str]]]:
    calls: list[tuple[int, str]] = []

    def listener(_: Session, booking: Booking, __: datetime) -> None:
        calls.append((booking.id, booking.status))

    services.booking_listeners.add(listener)
    return calls


def _book(services: Services, setup: Setup, starts_at: datetime, policy: str = "48h+2h") -> int:
    with transaction(services.session_factory) as db:
        slot = Slot(
            consultant_id=setup.consultant_id,
            location_id=setup.location_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=45),
        )
        db.add(slot)
        db.flush()
        booking = Booking(
            citizen_id=setup.citizen_id,
            slot_id=slot.id,
            consultant_id=setup.consultant_id,
            location_id=setup.location_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            reminder_policy=policy,
        )
        db.add(booking)
        db.flush()
        return booking.id


def test_weekly_slots_keep_local_time_across_the_daylight_saving_change(
    services: Services, setup: Setup, inbox: InboxClient
) -> None:
    # Four Tuesdays at 09:00 Copenhagen time, spanning the end of summer time (25 Oct 2026).
    response = inbox.post(
        "/inbox/slots",
        consultant_id=str(setup.consultant_id),
        location_id=str(setup.location_id),
        day="2026-10-13",
        starts="09:00",
        minutes="45",
        weeks="4",
    )
    assert "4 tider oprettet" in inbox.get(response.headers["location"]).text
    with transaction(services.session_factory) as db:
        starts = [s.starts_at for s in db.scalars(select(Slot).order_by(Slot.starts_at))]
    assert [s.hour for s in starts] == [7, 7, 8, 8]  # UTC: CEST then CET
    again = inbox.post(
        "/inbox/slots",
        consultant_id=str(setup.consultant_id),
        location_id=str(setup.location_id),
        day="2026-10-20",
        starts="09:00",
        minutes="45",
        weeks="1",
    )
    assert "sprunget over" in inbox.get(again.headers["location"]).text


def test_opening_hours_are_added_and_removed(
    services: Services, setup: Setup, inbox: InboxClient
) -> None:
    inbox.post(
        "/inbox/opening-hours",
        location_id=str(setup.location_id),
        weekday="1",
        opens="10:00",
        closes="14:00",
    )
    page = inbox.get("/inbox/slots").text
    assert "tirsdag" in page
    assert "10:00–14:00" in page
    bad = inbox.post(
        "/inbox/opening-hours",
        location_id=str(setup.location_id),
        weekday="1",
        opens="14:00",
        closes="10:00",
    )
    assert "slutte efter" in inbox.get(bad.headers["location"]).text
    with transaction(services.session_factory) as db:
        hours_id = db.scalars(select(OpeningHours.id)).one()
    inbox.post(f"/inbox/opening-hours/{hours_id}/delete")
    with transaction(services.session_factory) as db:
        assert db.scalars(select(OpeningHours)).all() == []


def test_a_sick_day_cancels_the_meetings_and_tells_the_citizens(
    services: Services, setup: Setup, inbox: InboxClient, listener_calls: list[tuple[int, str]]
) -> None:
    hit = _book(services, setup, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wed 10:00 local
    spared = _book(services, setup, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # Thursday
    response = inbox.post(
        "/inbox/exceptions",
        first_day="2026-11-25",
        reason="Anna er syg",
        consultant_id=str(setup.consultant_id),
    )
    assert (
        "1 møder aflyst, 0 flyttet, 1 borgere fik besked"
        in inbox.get(response.headers["location"]).text
    )
    with transaction(services.session_factory) as db:
        statuses = {b.id: b.status for b in db.scalars(select(Booking))}
        notice = db.scalars(select(Message).where(Message.sender == "system")).one()
    assert statuses == {hit: "cancelled", spared: "booked"}
    assert listener_calls == [(hit, "cancelled")]
    assert (notice.channel, notice.address, notice.status) == ("telegram", "tg-5551", "queued")
    assert notice.text is not None
    assert "25.11.2026 kl. 10:00" in notice.text
    assert "Jobcenter Nord, Vestergade 3" in notice.text


def test_the_day_list_marks_attended_and_no_show(
    services: Services, setup: Setup, inbox: InboxClient, listener_calls: list[tuple[int, str]]
) -> None:
    booking = _book(services, setup, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    page = inbox.get("/inbox/bookings?day=2026-11-23").text
    assert f'id="booking-{booking}"' in page
    assert "10:00–10:45" in page
    inbox.post(f"/inbox/bookings/{booking}/mark", status="no_show", day="2026-11-23")
    assert "udeblevet" in inbox.get("/inbox/bookings?day=2026-11-23").text
    refused = inbox.post(f"/inbox/bookings/{booking}/mark", status="booked", day="2026-11-23")
    assert "Ukendt status" in inbox.get(refused.headers["location"]).text
    assert listener_calls == [(booking, "no_show")]


def test_another_team_cannot_mark_our_bookings(
    services: Services, setup: Setup, inbox_factory: object, make_consultant: MakeConsultant
) -> None:
    booking = _book(services, setup, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    make_consultant("sofie", team="Jobcenter Syd")
    sofie = inbox_factory()  # type: ignore[operator]
    sofie.login("sofie")
    sofie.post(f"/inbox/bookings/{booking}/mark", status="no_show")
    with transaction(services.session_factory) as db:
        row = db.get(Booking, booking)
        assert row is not None
        assert row.status == "booked"
    assert team_id(services, "Jobcenter Syd") != team_id(services, "Jobcenter Nord")


def test_a_holiday_can_move_meetings_to_the_next_free_slot_at_the_same_place(
    services: Services, setup: Setup, inbox: InboxClient, listener_calls: list[tuple[int, str]]
) -> None:
    hit = _book(services, setup, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wed 10:00 local
    # Thursday 10:00 is booked by someone else; Thursday 11:00 is free.
    _book(services, setup, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    with transaction(services.session_factory) as db:
        free = Slot(
            consultant_id=setup.consultant_id,
            location_id=setup.location_id,
            starts_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
            ends_at=datetime(2026, 11, 26, 10, 45, tzinfo=UTC),
        )
        db.add(free)
        db.flush()
        free_id = free.id
    response = inbox.post(
        "/inbox/exceptions",
        first_day="2026-11-25",
        reason="Lukket",
        move="on",
    )
    assert "0 møder aflyst, 1 flyttet" in inbox.get(response.headers["location"]).text
    with transaction(services.session_factory) as db:
        old = db.get(Booking, hit)
        new = db.scalars(select(Booking).where(Booking.rescheduled_from_id == hit)).one()
        notice = db.scalars(select(Message).where(Message.sender == "system")).one()
        assert old is not None
        assert old.status == "cancelled"
        assert (new.slot_id, new.status, new.citizen_id) == (free_id, "booked", setup.citizen_id)
        new_id = new.id
    assert notice.text is not None
    assert "26.11.2026 kl. 11:00" in notice.text
    assert listener_calls == [(hit, "cancelled"), (new_id, "booked")]


def test_a_move_skips_free_slots_that_another_exception_covers(
    services: Services, setup: Setup, inbox: InboxClient
) -> None:
    hit = _book(services, setup, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    with transaction(services.session_factory) as db:
        for day in (26, 27):  # Thursday (the consultant is away) and Friday
            db.add(
                Slot(
                    consultant_id=setup.consultant_id,
                    location_id=setup.location_id,
                    starts_at=datetime(2026, 11, day, 10, 0, tzinfo=UTC),
                    ends_at=datetime(2026, 11, day, 10, 45, tzinfo=UTC),
                )
            )
    inbox.post(
        "/inbox/exceptions",
        first_day="2026-11-26",
        reason="Kursus",
        consultant_id=str(setup.consultant_id),
    )
    inbox.post("/inbox/exceptions", first_day="2026-11-25", reason="Lukket", move="on")
    with transaction(services.session_factory) as db:
        new = db.scalars(select(Booking).where(Booking.rescheduled_from_id == hit)).one()
    assert new.starts_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
