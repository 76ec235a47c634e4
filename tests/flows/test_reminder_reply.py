"""A citizen answers a reminder: JA confirms, NEJ cancels and offers a new time, FLYT moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.content import Content
from flows.reminder_reply import (
    AnswerReminder,
    ConfirmBooking,
    DeclineBooking,
    ReminderReplyFlow,
    handle,
)
from flows.types import FlowContext, HandOff, KnownFacts, PendingReminder
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
        now=NOW,
        language="da",
        channel="sms",
        citizen_id=1,
        facts=KnownFacts(pending_reminder=pending),
    )


@pytest.mark.parametrize(
    "text", ["JA", "ja", "Ja tak", "jaaa!", "1", "ok", "Jeg kommer", "det passer fint"]
)
def test_ja_in_any_words_confirms_the_booking(flow: ReminderReplyFlow, text: str) -> None:
    step = flow.step({}, parse(text), context())
    assert step is not None
    assert step.effects == [AnswerReminder(7, "yes"), ConfirmBooking(booking_id=3)]
    assert step.replies[0].text == "Tak for dit svar. Vi ses i morgen kl. 9.00."
    assert step.next_state == {}


@pytest.mark.parametrize(
    "text", ["NEJ", "nej tak", "2", "Jeg kan ikke komme", "jeg kommer ikke", "aflys"]
)
def test_nej_cancels_and_asks_whether_to_book_a_new_time(
    flow: ReminderReplyFlow, text: str
) -> None:
    step = flow.step({"misses": 0}, parse(text), context())
    assert step is not None
    assert step.effects == [AnswerReminder(7, "no"), DeclineBooking(booking_id=3)]
    [reply] = step.replies
    assert reply.text == (
        "Tak fordi du siger til. Din tid i morgen kl. 9.00 er aflyst. Vil du have en ny tid?"
    )
    assert reply.choices == ("Ja, en ny tid", "Nej tak")
    # The flows' own yes/no question: "yes" starts the booking flow.
    assert step.next_state == {
        "misses": 0,
        "pending": {
            "kind": "yesno",
            "text": reply.text,
            "choices": ["Ja, en ny tid", "Nej tak"],
            "yes": {"start": "book_meeting"},
            "no": {},
        },
    }


@pytest.mark.parametrize("text", ["FLYT", "flyt", "3", "Kan vi flytte den?", "nej, en anden dag"])
def test_flyt_asks_to_move_the_meeting_and_yes_starts_rescheduling(
    flow: ReminderReplyFlow, text: str
) -> None:
    step = flow.step({}, parse(text), context())
    assert step is not None
    assert step.effects == [AnswerReminder(7, "move")]
    assert step.replies[0].text == "Vil du flytte din tid i morgen kl. 9.00 til en anden dag?"
    assert step.next_state["pending"]["yes"] == {"start": "reschedule_meeting"}


def test_flyt_read_as_rescheduling_by_the_nlu_goes_straight_to_the_engine(
    flow: ReminderReplyFlow,
) -> None:
    # The engine's rescheduling offers free times at once: better than another question.
    assert flow.step({}, parse("FLYT", "reschedule_meeting"), context()) is None


def test_the_nlu_intent_is_understood_when_the_words_are_not(flow: ReminderReplyFlow) -> None:
    step = flow.step({}, parse("det lyder godt", "affirm"), context())
    assert step is not None
    assert ConfirmBooking(3) in step.effects


def test_the_engine_hook_takes_state_parse_context_and_content() -> None:
    step = handle({}, parse("ja"), context(), Content.load())
    assert step is not None
    assert ConfirmBooking(3) in step.effects


def test_other_messages_are_left_to_the_flow_engine(flow: ReminderReplyFlow) -> None:
    assert flow.step({}, parse("hvor ligger jobcentret?"), context()) is None
    assert flow.step({}, parse("ja"), context(None)) is None


@pytest.mark.parametrize("intent", ["crisis", "human_handoff", "opt_out"])
def test_crisis_a_person_and_opt_out_are_never_taken_as_answers(
    flow: ReminderReplyFlow, intent: str
) -> None:
    assert flow.step({}, parse("nej", intent), context()) is None
    assert flow.step({}, parse("jeg vil ikke mere", intent), context(CHECK_IN)) is None


def test_a_ja_to_a_question_asked_after_the_reminder_is_not_taken(
    flow: ReminderReplyFlow,
) -> None:
    asked_later = PendingReminder(reminder_id=7, kind="before", booking_id=3, latest=False)
    waiting = {"pending": {"kind": "confirm_slot", "slot_id": 4}}
    assert flow.step(waiting, parse("ja"), context(asked_later)) is None


def test_a_question_left_open_before_the_reminder_does_not_swallow_the_answer(
    flow: ReminderReplyFlow,
) -> None:
    # The greeting's menu was still open when the reminder came; "JA" answers the reminder.
    stale = {"pending": {"kind": "menu", "choices": ["Book en tid"]}}
    step = flow.step(stale, parse("JA"), context())
    assert step is not None
    assert ConfirmBooking(3) in step.effects


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


@pytest.mark.parametrize("text", ["syg", "jeg er syg", "Mit barn er sygt"])
def test_syg_asks_before_a_sick_notice_and_calling_off(flow: ReminderReplyFlow, text: str) -> None:
    step = flow.step({}, parse(text), context())
    assert step is not None
    assert step.effects == []  # nothing recorded or cancelled on a guess
    assert "Jeg aflyser også din tid i morgen kl. 9.00. Er det rigtigt?" in step.replies[0].text
    assert step.replies[0].choices == ("Ja, det er rigtigt", "Nej, det passer ikke")
