"""A citizen answers a reminder: JA confirms, NEJ cancels and offers a new time, FLYT moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.content import Content
from flows.reminder_reply import (
    STATE_KEY,
    AnswerReminder,
    ConfirmBooking,
    DeclineBooking,
    ReminderReplyFlow,
    booking_flow_state,
)
from flows.types import FlowContext, HandOff, PendingReminder
from nlu.types import IntentScore, ParseResult

NOW = datetime(2026, 11, 23, 8, 12, tzinfo=UTC)
BEFORE = PendingReminder(
    reminder_id=7, kind="before", booking_id=3, when="i morgen kl. 9.00", consultant_name="Mette"
)
CHECK_IN = PendingReminder(reminder_id=9, kind="check_in")


@pytest.fixture(scope="module")
def flow() -> ReminderReplyFlow:
    return ReminderReplyFlow(Content.load())


def parse(text: str, intent: str = "nlu_fallback") -> ParseResult:
    score = IntentScore(name=intent, confidence=0.9)
    return ParseResult(text=text, intent=score, entities=[], intent_ranking=[score])


def context(pending: PendingReminder | None = BEFORE) -> FlowContext:
    return FlowContext(
        now=NOW, language="da", channel="sms", citizen_id=1, pending_reminder=pending
    )


@pytest.mark.parametrize(
    "text", ["JA", "ja", "Ja tak", "jaaa!", "1", "ok", "Jeg kommer", "det passer fint"]
)
def test_ja_in_any_words_confirms_the_booking(flow: ReminderReplyFlow, text: str) -> None:
    step = flow.step({}, parse(text), context())
    assert step is not None
    assert step.effects == [ConfirmBooking(booking_id=3, reminder_id=7)]
    assert step.replies[0].text == "Tak for dit svar. Vi ses i morgen kl. 9.00."


@pytest.mark.parametrize(
    "text", ["NEJ", "nej tak", "2", "Jeg kan ikke komme", "jeg kommer ikke", "aflys", "jeg er syg"]
)
def test_nej_cancels_and_offers_a_new_time(flow: ReminderReplyFlow, text: str) -> None:
    step = flow.step({}, parse(text), context())
    assert step is not None
    assert step.effects == [DeclineBooking(booking_id=3, reminder_id=7)]
    assert "aflyst" in step.replies[0].text
    assert step.replies[0].choices == ("Ja, en ny tid", "Nej tak")
    assert step.next_state == {STATE_KEY: {"offer_new_time": 3}}


def test_after_nej_yes_starts_booking_a_new_time_and_no_ends_politely(
    flow: ReminderReplyFlow,
) -> None:
    offered = {STATE_KEY: {"offer_new_time": 3}}
    # The pending reminder is gone (its booking is cancelled); our own question still counts.
    yes = flow.step(offered, parse("Ja, en ny tid"), context(None))
    assert yes is not None
    assert yes.next_state == booking_flow_state(None)
    assert "ny tid" in yes.replies[0].text
    no = flow.step(offered, parse("Nej tak"), context(None))
    assert no is not None
    assert no.next_state == {}
    assert no.effects == []


@pytest.mark.parametrize("text", ["FLYT", "flyt", "3", "Kan vi flytte den?", "nej, en anden dag"])
def test_flyt_starts_rescheduling_the_same_booking(flow: ReminderReplyFlow, text: str) -> None:
    step = flow.step({}, parse(text), context())
    assert step is not None
    assert step.effects == [AnswerReminder(reminder_id=7, answer="move")]
    assert step.next_state == booking_flow_state(3)
    assert step.replies[0].text == "Lad os finde en ny tid. Hvilken dag passer dig bedre?"


def test_the_nlu_intent_is_understood_when_the_words_are_not(flow: ReminderReplyFlow) -> None:
    step = flow.step({}, parse("den passer mig ikke helt", "reschedule_meeting"), context())
    assert step is not None
    assert step.next_state == booking_flow_state(3)


def test_other_messages_are_left_to_the_flow_engine(flow: ReminderReplyFlow) -> None:
    assert flow.step({}, parse("hvor ligger jobcentret?"), context()) is None
    assert flow.step({}, parse("ja"), context(None)) is None


@pytest.mark.parametrize("intent", ["crisis", "human_handoff", "opt_out"])
def test_crisis_a_person_and_opt_out_are_never_taken_as_answers(
    flow: ReminderReplyFlow, intent: str
) -> None:
    assert flow.step({}, parse("nej", intent), context()) is None
    assert flow.step({}, parse("jeg vil ikke mere", intent), context(CHECK_IN)) is None


def test_a_ja_meant_for_another_flow_is_not_taken(flow: ReminderReplyFlow) -> None:
    assert flow.step({"flow": "booking", "step": "confirm"}, parse("ja"), context()) is None


def test_a_check_in_answer_goes_to_the_inbox_with_low_priority(flow: ReminderReplyFlow) -> None:
    step = flow.step({}, parse("Det går lidt bedre, men jeg sover dårligt"), context(CHECK_IN))
    assert step is not None
    answer, handoff = step.effects
    assert answer == AnswerReminder(reminder_id=9, answer="check_in")
    assert isinstance(handoff, HandOff)
    assert handoff.reason == "check_in"
    assert handoff.priority < 100
    assert handoff.summary["check_in_answer"] == "Det går lidt bedre, men jeg sover dårligt"
    assert "kontaktperson" in step.replies[0].text
