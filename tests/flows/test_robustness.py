"""What real citizens write around an answer, for someone else, or about several things at once.

The pure engine, with hand-built parses: the NLU's reading is given, what the flows make of it is
tested.
"""

from __future__ import annotations

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from flows.job_profile import JobProfile
from flows.on_behalf import writer_for
from flows.state import FlowState
from flows.types import (
    BookMeeting,
    CancelMeeting,
    HandOff,
    RecordAbsence,
    SaveJobProfile,
    SummaryKey,
)
from nlu.types import IntentScore, ParseResult
from tests.flows.parses import context, meeting, parse, time_entity
from tests.flows.test_engine import Talk, choices, said


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


def handoffs(talk: Talk) -> list[HandOff]:
    assert talk.last is not None
    return [effect for effect in talk.last.effects if isinstance(effect, HandOff)]


# A time or a choice wins over a courtesy ------------------------------------------------------


def test_a_time_read_as_goodbye_still_answers_the_list_of_times(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("book en tid", "book_meeting")
    thursday = time_entity("2026-11-26T10:00:00+01:00")
    step = talk.say("torsdag kl 10 tak", "goodbye", confidence=0.68, entities=[thursday])
    assert "torsdag 26. november kl. 10:00" in said(step)
    step = talk.say("ja tak", "affirm")
    assert step.effects == [BookMeeting(5, None)]


@pytest.mark.parametrize(("answer", "hour"), [("ok 3", "09:00"), ("2 tak", "13:00")])
def test_a_number_with_a_courtesy_word_picks_that_time(
    engine: FlowEngine, answer: str, hour: str
) -> None:
    talk = Talk(engine)
    talk.say("book en tid", "book_meeting")
    step = talk.say(answer, "affirm")
    assert f"kl. {hour}" in said(step)
    assert step.next_state["pending"]["kind"] == "confirm_slot"


def test_a_goodbye_without_a_time_still_ends_the_question(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("book en tid", "book_meeting")
    step = talk.say("farvel", "goodbye")
    assert "pending" not in step.next_state


# A writer on behalf of someone else ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "writer", "citizen"),
    [
        ("Jeg er bostøtte for Mikkel", "support_worker", "Mikkel"),
        ("jeg skriver for min søn", "parent", ""),
        ("Jeg skriver på vegne af min mor Else", "child", "Else"),
        ("jeg er pårørende", "relative", ""),
        ("Jeg er bisidder for Hanne", "companion", "Hanne"),
        ("I am writing on behalf of my son Tom", "parent", "Tom"),
        ("min datter er syg, hun kan ikke komme til sit møde", "parent", ""),
        ("på vegne af Jens", "other", "Jens"),
    ],
)
def test_a_writer_for_someone_else_is_recognised(text: str, writer: str, citizen: str) -> None:
    assert writer_for(text) == {"writer": writer, "citizen": citizen}


@pytest.mark.parametrize(
    "text",
    [
        "min søn er syg i dag",  # a parent's own absence for a sick child
        "jeg vil tale med min kontaktperson",
        "jeg skal hente min datter kl 14",
        "book en tid til mig",
    ],
)
def test_the_citizen_writing_for_themselves_is_no_writer_for_someone(text: str) -> None:
    assert writer_for(text) is None


def test_a_bostotte_is_asked_whose_absence_it_is_and_nothing_is_recorded(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine)
    step = talk.say("Jeg er bostøtte for Mikkel. Han er syg i dag", "fravaer")
    assert "Gælder det dig selv eller Mikkel?" in said(step)
    assert choices(step) == ["Det er mig", "Mikkel"]
    assert step.effects == []
    step = talk.say("Mikkel")
    assert not any(isinstance(effect, RecordAbsence) for effect in step.effects)
    [handoff] = handoffs(talk)
    assert handoff.reason == "on_behalf"
    details = handoff.summary[SummaryKey.DETAILS]
    assert details["writes_for"] == {
        "writer": "support_worker",
        "citizen": "Mikkel",
        "about": "fravaer",
    }
    assert handoff.summary[SummaryKey.INTENT] == "fravaer"


def test_a_writer_is_never_told_they_have_no_meeting_of_their_own(engine: FlowEngine) -> None:
    step = Talk(engine).say("Jeg skriver for min søn. Hvornår er hans møde?", "meeting_info")
    assert "ingen tid booket" not in said(step)
    assert "den, du skriver for" in said(step)


def test_a_cancellation_for_someone_else_cancels_nothing(engine: FlowEngine) -> None:
    talk = Talk(engine, next_meeting=meeting())
    talk.say("Jeg er bostøtte for Mikkel, han vil aflyse sit møde", "cancel_meeting")
    step = talk.say("hans", "nlu_fallback")
    assert not any(isinstance(effect, CancelMeeting) for effect in step.effects)
    assert handoffs(talk)[0].reason == "on_behalf"


def test_the_writers_own_errand_goes_on_and_is_not_asked_again(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("Jeg er pårørende til min mor. Jeg vil gerne booke en tid", "book_meeting")
    step = talk.say("det er mig", "affirm")
    assert step.next_state["pending"]["kind"] == "slots"
    talk.say("1")
    step = talk.say("ja", "affirm")
    assert step.effects == [BookMeeting(1, None)]
    step = talk.say("hvornår er mit møde", "meeting_info")
    assert "skriver for" not in said(step)


def test_writing_for_someone_said_mid_booking_stops_it(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("book en tid", "book_meeting")
    talk.say("1")
    step = talk.say("det er til min søn, jeg skriver for ham", "nlu_fallback")
    assert "den, du skriver for" in said(step)
    step = talk.say("ja", "affirm")  # no longer a yes to the booking
    assert not any(isinstance(effect, BookMeeting) for effect in step.effects)


# Several concerns ------------------------------------------------------------------------------


def letter(text: str, intent: str, *names: str) -> ParseResult:
    result = parse(text, intent)
    result["concerns"] = [IntentScore(name=name, confidence=0.99) for name in names]
    return result


def test_a_message_with_three_concerns_goes_to_a_person_with_them_listed(
    engine: FlowEngine,
) -> None:
    text = "Jeg er syg. Hvor mange feriedage har jeg? Kan jeg flytte mit møde?"
    step = engine.step(
        {}, letter(text, "fravaer", "fravaer", "feriedage", "reschedule_meeting"), context()
    )
    assert "flere ting" in said(step)
    [handoff] = [effect for effect in step.effects if isinstance(effect, HandOff)]
    assert handoff.reason == "several_concerns"
    assert handoff.summary[SummaryKey.DETAILS]["concerns"] == [
        "fravaer",
        "feriedage",
        "reschedule_meeting",
    ]
    assert not any(isinstance(effect, RecordAbsence) for effect in step.effects)


def test_two_concerns_in_a_short_message_are_answered_by_the_bot(engine: FlowEngine) -> None:
    text = "Jeg er syg i dag. Kan I flytte mit møde?"
    step = engine.step({}, letter(text, "fravaer", "fravaer", "reschedule_meeting"), context())
    assert not any(isinstance(effect, HandOff) for effect in step.effects)


def test_two_concerns_in_a_long_letter_go_to_a_person(engine: FlowEngine) -> None:
    text = "Jeg er syg i dag og har været det længe. " * 10 + "Kan I flytte mit møde?"
    step = engine.step({}, letter(text, "fravaer", "fravaer", "reschedule_meeting"), context())
    assert [e.reason for e in step.effects if isinstance(e, HandOff)] == ["several_concerns"]


def test_a_long_letter_the_bot_cannot_read_goes_to_a_person_not_back_to_the_writer(
    engine: FlowEngine,
) -> None:
    text = (
        "Kære jobcenter. Jeg har fået et nyt forløb og en ny kontaktperson, og jeg har det "
        "svært med alle de forandringer. " * 4
    )
    step = engine.step({}, parse(text, "nlu_fallback", confidence=0.45), context())
    assert "medarbejder læser det hele" in said(step)
    assert "andre ord" not in said(step)
    [handoff] = [effect for effect in step.effects if isinstance(effect, HandOff)]
    assert handoff.reason == "letter_not_understood"


def test_a_short_message_the_bot_cannot_read_is_asked_again(engine: FlowEngine) -> None:
    step = engine.step({}, parse("blabla noget med det der", "nlu_fallback"), context())
    assert "andre ord" in said(step)
    assert not any(isinstance(effect, HandOff) for effect in step.effects)


def test_a_crisis_in_one_sentence_wins_over_the_concerns(engine: FlowEngine) -> None:
    text = "Jeg er syg. Hvor mange feriedage har jeg? Jeg orker ikke mere."
    step = engine.step({}, letter(text, "feriedage", "fravaer", "feriedage", "crisis"), context())
    assert "112" in step.replies[0].text
    assert [e.reason for e in step.effects if isinstance(e, HandOff)] == ["crisis"]


# Job wishes ------------------------------------------------------------------------------------


def test_a_limit_in_the_job_wishes_is_a_wish_not_a_sick_note(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg vil gerne have et job", "jobonsker")
    for answer in ("lager", "8-10 timer", "mandag"):
        talk.say(answer)
    step = talk.say("har ondt i ryggen og kan ikke tåle støj", "fravaer", confidence=1.0)
    assert step.effects[0] == SaveJobProfile(
        ("lager",), 8.0, ("mandag",), "har ondt i ryggen og kan ikke tåle støj", 10.0
    )
    assert "8-10 timer om ugen" in said(step)
    assert not any(isinstance(effect, RecordAbsence) for effect in step.effects)


def test_a_limit_told_early_is_kept_and_not_asked_for_again(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg vil gerne have et job", "jobonsker")
    talk.say("kontor")
    step = talk.say("jeg kan ikke tåle støj", "fravaer", confidence=1.0)
    assert "skrevet ned" in said(step)
    assert step.next_state["pending"]["field"] == "hours"
    talk.say("12 timer")
    step = talk.say("tirsdag")
    assert step.effects == [
        SaveJobProfile(("kontor",), 12.0, ("tirsdag",), "jeg kan ikke tåle støj")
    ]


def test_a_sick_note_with_a_day_still_interrupts_the_job_wishes(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg vil gerne have et job", "jobonsker")
    step = talk.say("jeg har ondt i ryggen og kan ikke komme i dag", "fravaer", confidence=1.0)
    assert not any(isinstance(effect, SaveJobProfile) for effect in step.effects)
    assert step.next_state["pending"]["kind"] != "job"


def test_a_range_of_hours_survives_the_stored_state() -> None:
    profile = JobProfile(answered=2, kinds=("lager",), hours=8.0, hours_to=10.0)
    stored = FlowState(facts={"job_profile": profile.to_stored()}).to_stored()
    assert JobProfile.from_stored(stored["facts"]["job_profile"]) == profile
