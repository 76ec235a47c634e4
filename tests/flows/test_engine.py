"""The flow engine as a pure function: state, parse and context in; replies, effects, state out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from flows.reminder_reply import AnswerReminder, ConfirmBooking
from flows.types import (
    BookMeeting,
    CancelMeeting,
    DeleteCitizenData,
    HandOff,
    PendingReminder,
    RescheduleMeeting,
    SaveJobProfile,
    Staffing,
    Step,
    StoredState,
)
from tests.flows.parses import NOW, context, meeting, parse


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


class Talk:
    """A conversation with the pure engine, state carried from turn to turn."""

    def __init__(self, engine: FlowEngine, **context_changes: Any) -> None:
        self.engine = engine
        self.state: StoredState = {}
        self.context = context(**context_changes)
        self.last: Step | None = None

    def say(self, text: str, intent: str = "nlu_fallback", **kwargs: Any) -> Step:
        step = self.engine.step(self.state, parse(text, intent, **kwargs), self.context)
        self.state = step.next_state
        self.last = step
        return step


def said(step: Step) -> str:
    return "\n".join(reply.text for reply in step.replies)


def choices(step: Step) -> list[str]:
    return [choice for reply in step.replies for choice in reply.choices]


# Crisis ----------------------------------------------------------------------------------------

OPEN_QUESTIONS: list[tuple[str, str]] = [
    ("book en tid", "book_meeting"),
    ("hvad med min pension og løn", "loen_vs_pension"),
    ("jeg vil gerne have et job", "jobonsker"),
    ("jeg kan ikke komme", "fravaer"),
    ("slet mine data", "privacy"),
    ("hej", "greet"),
    ("fjdksl", "nlu_fallback"),
]


@pytest.mark.parametrize(("opening", "intent"), OPEN_QUESTIONS)
def test_crisis_comes_first_in_every_state_with_a_priority_handoff(
    engine: FlowEngine, opening: str, intent: str
) -> None:
    talk = Talk(engine)
    talk.say(opening, intent)
    step = talk.say("jeg vil ikke leve mere", "crisis")
    first = step.replies[0].text
    assert "70 201 201" in first
    assert "112" in first
    handoffs = [effect for effect in step.effects if isinstance(effect, HandOff)]
    assert handoffs[0].priority == 100
    assert handoffs[0].reason == "crisis"
    assert "pending" not in step.next_state


def test_a_crisis_ranked_second_is_still_a_crisis(engine: FlowEngine) -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "crisis", "confidence": 0.4}]
    step = Talk(engine).say("jeg orker ikke mere", "nlu_fallback", ranking=ranking)
    assert "70 201 201" in said(step)


# Booking ---------------------------------------------------------------------------------------


def test_booking_offers_numbered_times_confirms_and_books(engine: FlowEngine) -> None:
    talk = Talk(engine)
    step = talk.say("jeg vil booke en tid", "book_meeting")
    assert len(choices(step)) == 5  # four times and "other times"
    assert "kl. 11:00" in choices(step)[0]
    step = talk.say("den anden")
    assert "Skal jeg booke" in said(step)
    assert step.effects == []
    step = talk.say("ja", "affirm")
    assert step.effects == [BookMeeting(2, None)]
    assert "booket" in said(step)


def test_a_time_asked_for_that_is_free_goes_straight_to_confirmation(engine: FlowEngine) -> None:
    step = Talk(engine).say("kan jeg få en tid torsdag kl 10", "book_meeting")
    assert "torsdag 26. november kl. 10:00" in said(step)
    assert step.next_state["pending"]["kind"] == "confirm_slot"


def test_no_free_slots_offers_a_person(engine: FlowEngine) -> None:
    talk = Talk(engine, free_slots=())
    step = talk.say("book en tid", "book_meeting")
    assert "ingen ledige tider" in said(step)
    step = talk.say("ja", "affirm")
    assert any(isinstance(effect, HandOff) for effect in step.effects)


def test_a_slot_taken_meanwhile_is_recovered_with_fresh_times(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("book en tid", "book_meeting")
    talk.say("1")
    fresh = context(free_slots=context().free_slots[1:])
    step = engine.recover(talk.state, 1, fresh)
    assert "taget af en anden" in said(step)
    assert all("kl. 11:00" not in choice for choice in choices(step))
    assert step.effects == []


def test_moving_and_cancelling_act_on_the_next_meeting_after_confirmation(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine, next_meeting=meeting())
    step = talk.say("jeg vil flytte min tid", "reschedule_meeting")
    assert "onsdag 25. november" in said(step)
    talk.say("1")
    step = talk.say("ja", "affirm")
    assert step.effects == [RescheduleMeeting(77, 1)]

    talk = Talk(engine, next_meeting=meeting())
    step = talk.say("aflys min tid", "cancel_meeting")
    assert step.effects == []
    step = talk.say("ja", "affirm")
    assert step.effects == [CancelMeeting(77)]


def test_meeting_info_shows_time_place_and_consultant(engine: FlowEngine) -> None:
    step = Talk(engine, next_meeting=meeting()).say("hvornår er mit møde", "meeting_info")
    text = said(step)
    assert "onsdag 25. november kl. 11:00" in text
    assert "Karim Said" in text
    assert "Boligvej 12" in text


# Topics ----------------------------------------------------------------------------------------


def test_the_pension_answer_depends_on_the_2003_follow_up(engine: FlowEngine) -> None:
    talk = Talk(engine)
    step = talk.say("hvad sker der med min førtidspension hvis jeg tjener penge", "loen_vs_pension")
    assert "2003" in said(step)
    old = said(talk.say("før 2003"))
    talk = Talk(engine)
    talk.say("hvad sker der med min førtidspension hvis jeg tjener penge", "loen_vs_pension")
    new = said(talk.say("efter 2003"))
    assert old != new
    assert "gamle regler" in old
    assert "Kilde:" in old
    assert "Kilde:" in new
    assert "kan ikke regne dit beløb ud" in new


def test_sms_gets_the_short_answer_with_its_source(engine: FlowEngine) -> None:
    talk = Talk(engine, channel="sms")
    step = talk.say("hvor meget må jeg tjene på kontanthjælp", "loen_vs_pension")
    answer = step.replies[0].text
    assert answer.endswith("Kilde: ft.dk")
    assert "https://" not in answer  # the full reference is a link in the web chat only
    assert "gennemgået" not in answer


def test_job_wishes_are_asked_one_question_at_a_time_and_saved(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg vil gerne have et job", "jobonsker")
    for answer in ("lager", "12 timer", "tirsdag og torsdag", "ikke tunge løft"):
        step = talk.say(answer)
        assert step.replies[-1].text.count("?") == 1  # one question at a time
    assert talk.last is not None
    assert talk.last.effects == [
        SaveJobProfile(("lager",), 12.0, ("tirsdag", "torsdag"), "ikke tunge løft")
    ]


# Handoff, fallback, language, privacy -------------------------------------------------------


def test_two_misunderstandings_in_a_row_hand_off_with_a_summary(engine: FlowEngine) -> None:
    talk = Talk(engine)
    first = talk.say("fjdksl")
    assert "andre ord" in said(first)
    assert first.effects == []
    second = talk.say("qqq ppp")
    handoff = second.effects[0]
    assert isinstance(handoff, HandOff)
    assert handoff.reason == "misunderstood"
    assert handoff.summary["last_messages"][-1] == "qqq ppp"
    assert "20 minutter" in said(second)


def test_outside_opening_hours_a_callback_can_be_booked(engine: FlowEngine) -> None:
    opening = datetime(2026, 11, 24, 8, 0, tzinfo=NOW.tzinfo)
    talk = Talk(engine, staffing=Staffing(open_now=False, next_opening=opening))
    step = talk.say("jeg vil tale med en person", "human_handoff")
    assert step.effects == []
    assert "tirsdag 24. november kl. 09:00" in said(step)
    step = talk.say("ring mig op")
    assert "ringe dig op" in said(step)
    talk.say("1")
    step = talk.say("ja", "affirm")
    assert step.effects == [BookMeeting(9, "callback")]


def test_a_topic_change_mid_booking_returns_to_the_booking(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("book en tid", "book_meeting")
    step = talk.say("hvor mange feriedage har jeg i mit job", "feriedage")
    assert "Ferieloven" in said(step)
    assert "fortsætte" in said(step)
    step = talk.say("ja", "affirm")
    assert "ledige tider" in said(step)
    step = talk.say("1")
    assert "Skal jeg booke" in said(step)


def test_deletion_needs_an_explicit_yes(engine: FlowEngine) -> None:
    talk = Talk(engine)
    step = talk.say("hvad gemmer I om mig", "privacy")
    assert "180 dage" in said(step)
    step = talk.say("ja", "affirm")
    assert step.effects == []
    assert "Er du sikker" in said(step)
    step = talk.say("ja", "affirm")
    assert step.effects == [DeleteCitizenData()]


def test_a_reply_to_a_pending_reminder_is_read_as_the_answer_first(engine: FlowEngine) -> None:
    reminder = PendingReminder(
        reminder_id=5, kind="before", booking_id=77, when="i morgen kl. 10.00"
    )
    step = engine.step({}, parse("JA", "affirm"), context(pending_reminder=reminder))
    assert ConfirmBooking(booking_id=77) in step.effects
    assert AnswerReminder(reminder_id=5, answer="yes") in step.effects


def test_without_a_pending_reminder_ja_is_just_a_yes(engine: FlowEngine) -> None:
    step = engine.step({}, parse("JA", "affirm"), context())
    assert not any(isinstance(effect, ConfirmBooking) for effect in step.effects)


def test_the_handoff_summary_carries_what_was_collected(engine: FlowEngine) -> None:
    talk = Talk(engine, recent_messages=("hvad med min pension", "før 2003"))
    talk.say("hvad sker der med min førtidspension hvis jeg tjener penge", "loen_vs_pension")
    talk.say("før 2003")
    step = talk.say("jeg vil tale med en konsulent", "human_handoff")
    handoff = step.effects[0]
    assert isinstance(handoff, HandOff)
    assert handoff.summary["details"]["benefit"] == "pension"
    assert handoff.summary["details"]["pension_granted"] == "before 2003"
    assert handoff.summary["last_messages"][-1] == "jeg vil tale med en konsulent"


def test_out_of_scope_twice_in_a_row_reaches_a_person(engine: FlowEngine) -> None:
    talk = Talk(engine)
    first = talk.say("hvad bliver vejret", "out_of_scope")
    assert first.effects == []
    second = talk.say("bla bla", "out_of_scope")
    assert any(isinstance(effect, HandOff) for effect in second.effects)


def test_an_english_crisis_is_answered_in_english_first(engine: FlowEngine) -> None:
    step = Talk(engine).say("I want to kill myself", "crisis")
    assert step.replies[0].text.startswith("It is good that you are writing")


def test_our_own_cpr_mask_is_not_read_as_a_wish_to_delete(engine: FlowEngine) -> None:
    step = Talk(engine).say("mit cpr er [CPR fjernet] kan i se min sag", "privacy")
    assert "Er du sikker" not in said(step)
    assert "180 dage" in said(step)


def test_a_day_the_citizen_cannot_work_is_kept_in_their_words(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg vil gerne arbejde i et køkken", "jobonsker")
    talk.say("10 timer")
    talk.say("ikke fredag")
    step = talk.say("nej")
    profile = step.effects[0]
    assert isinstance(profile, SaveJobProfile)
    assert profile.days == ("ikke fredag",)
