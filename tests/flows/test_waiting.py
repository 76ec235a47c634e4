"""A citizen waiting for a person is never left in silence, and never trapped by the wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from flows.types import BookMeeting, HandOff, Staffing, Step, StoredState, Waiting
from tests.flows.parses import NOW, context, parse

QUEUED = Waiting(since=NOW - timedelta(minutes=3), priority=0, reason="requested")
IN_CRISIS = Waiting(since=NOW - timedelta(minutes=3), priority=100, reason="crisis")


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


def said(step: Step) -> str:
    return "\n".join(reply.text for reply in step.replies)


class Waiter:
    """A waiting citizen writing to the pure engine, with the clock moved between messages."""

    def __init__(self, engine: FlowEngine, waiting: Waiting, **changes: object) -> None:
        self.engine = engine
        self.waiting = waiting
        self.changes = changes
        self.state: StoredState = {}
        self.now = NOW

    def say(self, text: str, intent: str = "greet", after_minutes: float = 0) -> Step:
        self.now += timedelta(minutes=after_minutes)
        ctx = context(now=self.now, waiting=self.waiting, **self.changes)
        step = self.engine.step(self.state, parse(text, intent), ctx)
        self.state = step.next_state
        return step


def test_a_burst_gets_one_acknowledgement_with_the_expected_wait(engine: FlowEngine) -> None:
    waiter = Waiter(engine, QUEUED)
    first = waiter.say("hallo?")
    assert "om cirka 20 minutter" in said(first)
    assert waiter.say("er I der?", "nlu_fallback", after_minutes=1).replies == []
    assert waiter.say("???", "nlu_fallback", after_minutes=5).replies == []
    later = waiter.say("hallo igen", after_minutes=5)  # 11 minutes after the first
    assert "fået din besked" in said(later)


def test_the_acknowledgement_interval_comes_from_the_context(engine: FlowEngine) -> None:
    waiter = Waiter(engine, QUEUED, acknowledge_every=timedelta(minutes=2))
    waiter.say("hallo?")
    assert waiter.say("hallo??", after_minutes=3).replies != []


def test_after_hours_the_acknowledgement_says_when_we_open(engine: FlowEngine) -> None:
    opening = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    waiter = Waiter(engine, QUEUED, staffing=Staffing(open_now=False, next_opening=opening))
    text = said(waiter.say("hallo?"))
    assert "når vi åbner tirsdag 24. november kl. 09:00" in text
    assert "minutter" not in text


def test_an_acknowledgement_from_an_earlier_wait_does_not_silence_this_one(
    engine: FlowEngine,
) -> None:
    earlier = {"acknowledged_at": (NOW - timedelta(minutes=5)).isoformat()}
    waiting = Waiting(since=NOW - timedelta(minutes=1), priority=0)
    step = engine.step(earlier, parse("hallo?", "greet"), context(waiting=waiting))
    assert "fået din besked" in said(step)


def test_a_waiting_citizen_asking_again_for_a_person_keeps_the_place_in_the_queue(
    engine: FlowEngine,
) -> None:
    step = Waiter(engine, QUEUED).say("jeg vil tale med et menneske", "human_handoff")
    assert "fået din besked" in said(step)
    assert step.effects == []


def test_a_citizen_taken_as_crisis_by_mistake_can_still_book(engine: FlowEngine) -> None:
    waiter = Waiter(engine, IN_CRISIS)
    offer = waiter.say("jeg vil gerne booke en tid", "book_meeting")
    assert "70 201 201" not in said(offer)
    waiter.say("1", "nlu_fallback")
    booked = waiter.say("ja", "affirm")
    assert BookMeeting(1, None) in booked.effects
    assert not any(isinstance(effect, HandOff) for effect in booked.effects)


def test_a_citizen_taken_as_crisis_by_mistake_can_still_report_sick(engine: FlowEngine) -> None:
    step = Waiter(engine, IN_CRISIS).say("jeg er syg i dag", "fravaer")
    assert "70 201 201" not in said(step)
    assert "syg" in said(step).lower()


def test_two_misunderstandings_while_waiting_do_not_ask_to_wait_again(
    engine: FlowEngine,
) -> None:
    opening = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    waiter = Waiter(engine, QUEUED, staffing=Staffing(open_now=False, next_opening=opening))
    waiter.say("book en tid", "book_meeting")
    waiter.say("qqq", "nlu_fallback")
    step = waiter.say("ppp", "nlu_fallback")
    assert any(isinstance(effect, HandOff) for effect in step.effects)
    assert not any(reply.choices for reply in step.replies)  # no "chat or callback?" menu


def test_an_errands_question_left_unanswered_falls_back_to_the_acknowledgement(
    engine: FlowEngine,
) -> None:
    waiter = Waiter(engine, QUEUED, free_slots=())
    asked = waiter.say("book en tid", "book_meeting")
    assert "ingen ledige tider" in said(asked)
    step = waiter.say("hallo?")
    assert "fået din besked" in said(step)
    assert not any(reply.choices for reply in step.replies)  # not the greeting menu
