"""'Hvornår har I åbent?': weekly hours per place in Copenhagen time, and whether one is open."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from bot.kernel.gsm7 import sms_parts, to_gsm7
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import BookMeeting, HandOff, Step, StoredState, WeeklyOpening
from tests.flows.parses import context, parse

OFFICE = "Jobcentret"
ROOM = "Åben rådgivning i Bydelshuset"
PHONE_HOURS = tuple(
    WeeklyOpening(day, time(9), time(15), "Telefon", None, "phone") for day in range(5)
)
# The demo jobcenter's week: the office on weekdays, open counselling Tuesday and Thursday,
# and phone hours (which nobody can come by).
HOURS = (
    *(WeeklyOpening(day, time(9), time(15), OFFICE, "Demovej 1, 2300 København S")
      for day in range(5)),
    WeeklyOpening(1, time(10), time(14), ROOM, "Boligvej 12", "open_counselling"),
    WeeklyOpening(3, time(13), time(17), ROOM, "Boligvej 12", "open_counselling"),
    *PHONE_HOURS,
)  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


def ask(
    engine: FlowEngine,
    now: datetime,
    text: str = "hvornår har i åbent",
    state: StoredState | None = None,
    **changes: Any,
) -> Step:
    changes.setdefault("opening_hours", HOURS)
    return engine.step(state or {}, parse(text, "opening_hours"), context(now=now, **changes))


def said(step: Step) -> str:
    return "\n".join(reply.text for reply in step.replies)


def test_the_weekly_hours_of_each_place_are_listed_with_the_address(engine: FlowEngine) -> None:
    text = said(ask(engine, datetime(2026, 11, 23, 8, 12, tzinfo=UTC)))  # Monday 09:12

    assert "Jobcentret, Demovej 1, 2300 København S\nmandag-fredag kl. 09:00-15:00" in text
    assert (
        "Åben rådgivning i Bydelshuset, Boligvej 12\n"
        "tirsdag kl. 10:00-14:00\n"
        "torsdag kl. 13:00-17:00"
    ) in text
    assert "Telefon" not in text
    assert text.startswith("Lige nu er der åbent: Jobcentret til kl. 15:00.")


def test_the_hours_are_read_in_copenhagen_time(engine: FlowEngine) -> None:
    # Tuesday 09:55 in Copenhagen (08:55 UTC): the office is open, open counselling not yet.
    before = said(ask(engine, datetime(2026, 11, 24, 8, 55, tzinfo=UTC)))
    assert before.startswith("Lige nu er der åbent: Jobcentret til kl. 15:00.")
    # Tuesday 10:05 in Copenhagen (09:05 UTC): both.
    after = said(ask(engine, datetime(2026, 11, 24, 9, 5, tzinfo=UTC)))
    assert after.startswith(
        "Lige nu er der åbent: Jobcentret til kl. 15:00 og "
        "Åben rådgivning i Bydelshuset til kl. 14:00."
    )
    # Summer time (UTC+2): Thursday 25 June 16:30 in Copenhagen is 14:30 UTC.
    summer = said(ask(engine, datetime(2026, 6, 25, 14, 30, tzinfo=UTC)))
    assert summer.startswith("Lige nu er der åbent: Åben rådgivning i Bydelshuset til kl. 17:00.")


def test_when_closed_it_says_when_and_where_it_opens_next(engine: FlowEngine) -> None:
    evening = said(ask(engine, datetime(2026, 11, 23, 19, 30, tzinfo=UTC)))  # Monday 20:30
    assert evening.startswith(
        "Lige nu har vi lukket. Vi åbner igen tirsdag 24. november kl. 09:00 (Jobcentret)."
    )
    saturday = said(ask(engine, datetime(2026, 11, 28, 10, 0, tzinfo=UTC)))
    assert "Vi åbner igen mandag 30. november kl. 09:00 (Jobcentret)." in saturday


def test_open_counselling_alone_is_said_with_its_days(engine: FlowEngine) -> None:
    hours = tuple(
        WeeklyOpening(day, time(13), time(16), ROOM, None, "open_counselling") for day in (0, 2, 4)
    )
    text = said(ask(engine, datetime(2026, 11, 24, 8, 0, tzinfo=UTC), opening_hours=hours))
    assert f"{ROOM}\nmandag, onsdag og fredag kl. 13:00-16:00" in text
    assert "Vi åbner igen onsdag 25. november kl. 13:00" in text


def test_the_answer_is_in_english_for_an_english_question(engine: FlowEngine) -> None:
    step = ask(engine, datetime(2026, 11, 23, 8, 12, tzinfo=UTC), text="when are you open")
    text = said(step)
    assert text.startswith("Open right now: Jobcentret until 15:00.")
    assert "Monday-Friday 09:00-15:00" in text
    assert "Tuesday 10:00-14:00" in text


def test_on_sms_the_answer_fits_two_parts_and_starts_with_now(engine: FlowEngine) -> None:
    text = said(ask(engine, datetime(2026, 11, 24, 9, 5, tzinfo=UTC), channel="sms"))
    assert text.startswith("Lige nu er der åbent")
    assert "\n\n" not in text
    assert sms_parts(to_gsm7(text)) <= 2


@pytest.mark.parametrize("hours", [(), PHONE_HOURS], ids=["no hours", "phone hours only"])
def test_without_opening_hours_it_says_so_and_offers_a_meeting_or_a_person(
    engine: FlowEngine, hours: tuple[WeeklyOpening, ...]
) -> None:
    now = datetime(2026, 11, 23, 8, 12, tzinfo=UTC)
    step = ask(engine, now, opening_hours=hours)
    assert said(step).startswith("Jeg kan desværre ikke se nogen åbningstider her.")
    assert step.replies[-1].choices == ("Book en tid", "Skriv med en medarbejder")
    assert not step.effects

    booking = engine.step(step.next_state, parse("1"), context(now=now, opening_hours=hours))
    assert "tid" in said(booking).lower()
    assert booking.next_state["pending"]["kind"] == "slots"
    person = engine.step(step.next_state, parse("2"), context(now=now, opening_hours=hours))
    assert [type(effect) for effect in person.effects] == [HandOff]


def test_asking_while_choosing_a_time_answers_and_offers_to_carry_on(engine: FlowEngine) -> None:
    now = datetime(2026, 11, 23, 8, 12, tzinfo=UTC)
    booking = engine.step(
        {}, parse("jeg vil gerne have en tid", "book_meeting"), context(opening_hours=HOURS)
    )
    assert booking.next_state["pending"]["kind"] == "slots"

    step = ask(engine, now, text="hvornår har i åbent?", state=booking.next_state)
    assert "mandag-fredag kl. 09:00-15:00" in said(step)
    assert step.replies[-1].text == "Skal vi fortsætte med at finde en tid til dig?"
    carry_on = engine.step(step.next_state, parse("ja", "affirm"), context(opening_hours=HOURS))
    assert carry_on.next_state["pending"]["kind"] == "slots"
    assert not [effect for effect in carry_on.effects if isinstance(effect, BookMeeting)]
