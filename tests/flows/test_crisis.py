"""Crisis replies give help that is open now and say honestly when a person sees the message."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from flows.types import HandOff, HelpLine, Staffing, Step, Waiting
from tests.flows.parses import context, parse

# Monday 23 November 2026 in Copenhagen (UTC+1), and when the office opens next.
EVENING = datetime(2026, 11, 23, 20, 33, tzinfo=UTC)  # 21:33
EARLY_MORNING = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 05:30
TUESDAY_OPENING = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00
CLOSED = Staffing(open_now=False, next_opening=TUESDAY_OPENING)


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


def said(step: Step) -> str:
    return "\n".join(reply.text for reply in step.replies)


def crisis_at(engine: FlowEngine, now: datetime, staffing: Staffing, **changes: object) -> Step:
    ctx = context(now=now, staffing=staffing, **changes)
    return engine.step({}, parse("jeg vil ikke leve mere", "crisis"), ctx)


def test_at_night_the_lines_open_now_come_first_and_no_person_is_promised(
    engine: FlowEngine,
) -> None:
    step = crisis_at(engine, EVENING, CLOSED)
    numbers = step.replies[0].text
    assert numbers.splitlines()[0].endswith("ring 112.")
    assert "Livslinien på 70 201 201. Der er åbent nu til kl. 05:00." in numbers
    assert "Akuttelefonen på 1813. Der er åbent hele døgnet." in numbers
    text = said(step)
    assert "med det samme" not in text
    assert "Ingen medarbejder kan se din besked før tirsdag 24. november kl. 09:00" in text
    handoff = next(effect for effect in step.effects if isinstance(effect, HandOff))
    assert handoff.priority == 100


def test_a_line_closed_now_says_when_it_opens(engine: FlowEngine) -> None:
    numbers = crisis_at(engine, EARLY_MORNING, CLOSED).replies[0].text
    assert "Livslinien på 70 201 201 har lukket nu og åbner igen kl. 11:00." in numbers
    assert "1813" in numbers


def test_in_opening_hours_a_person_answers_now(engine: FlowEngine) -> None:
    text = said(crisis_at(engine, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), Staffing(True)))
    assert "Vi har åbent nu" in text
    assert "Vi har lukket" not in text


def test_the_first_crisis_reply_says_errands_still_work(engine: FlowEngine) -> None:
    assert "melde fravær eller flytte et møde" in said(crisis_at(engine, EVENING, CLOSED))


def test_each_sms_of_a_crisis_reply_is_gsm7_and_fits_two_segments(engine: FlowEngine) -> None:
    from bot.kernel.gsm7 import max_septets, septets, to_gsm7

    for now in (EVENING, EARLY_MORNING):
        step = crisis_at(engine, now, CLOSED, channel="sms", first_contact=True)
        for reply in step.replies:
            assert to_gsm7(reply.text) == reply.text
            assert septets(reply.text) <= max_septets(2)


def test_a_waiting_crisis_citizen_gets_the_numbers_with_every_message(
    engine: FlowEngine,
) -> None:
    waiting = Waiting(since=EVENING, priority=100, reason="crisis")
    ctx = context(now=EVENING, staffing=CLOSED, waiting=waiting)
    state: dict[str, object] = {}
    for text in ("er der nogen der kan svare mig nu", "hallo?"):
        step = engine.step(state, parse(text, "greet"), ctx)
        state = step.next_state
        assert "112" in said(step)
        assert "70 201 201" in said(step)
        assert "tirsdag 24. november kl. 09:00" in said(step)
        assert not any(isinstance(effect, HandOff) for effect in step.effects)


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (time(10, 59), False),
        (time(11, 0), True),
        (time(23, 30), True),
        (time(0, 10), True),
        (time(4, 59), True),
        (time(5, 0), False),
    ],
)
def test_a_help_line_open_past_midnight(clock: time, expected: bool) -> None:
    assert HelpLine("Livslinien", "70 201 201", time(11), time(5)).open_at(clock) is expected


def test_a_help_line_without_hours_is_always_open() -> None:
    assert HelpLine("Akuttelefonen", "1813").open_at(time(3, 0))
