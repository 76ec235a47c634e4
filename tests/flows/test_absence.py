"""Absence notices as conversations with the pure engine: nothing is recorded before a yes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from bot.kernel.gsm7 import gsm7_length, sms_parts
from bot.kernel.lix import lix
from flows.absence import SICK_CANCEL_REASON, sick_reason
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import (
    CancelMeeting,
    PendingReminder,
    RecordAbsence,
    RecordRecovery,
    SetLanguage,
    SickNoticeRule,
    Step,
)
from tests.flows.parses import meeting
from tests.flows.test_engine import Talk, choices, said

TODAY = date(2026, 11, 23)  # Monday


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


def absences(step: Step) -> list[RecordAbsence]:
    return [effect for effect in step.effects if isinstance(effect, RecordAbsence)]


def test_a_sick_notice_is_read_back_and_recorded_only_after_yes(engine: FlowEngine) -> None:
    talk = Talk(engine)
    asked = talk.say("jeg er syg", "fravaer")
    assert asked.effects == []
    assert "at du er syg fra mandag 23. november" in said(asked)
    assert "Er det rigtigt?" in said(asked)
    assert choices(asked) == ["Ja, det er rigtigt", "Nej, det passer ikke"]
    step = talk.say("ja", "affirm")
    assert step.effects == [
        RecordAbsence(reason="own_sickness", starts_on=TODAY, note="jeg er syg")
    ]
    text = said(step)
    assert "Vi har fået din sygemelding mandag kl. 09:12" in text
    assert "Det er kommunen, der vurderer dit fravær" in text
    assert "har du pligt til at komme til et møde, gælder den pligt stadig" in text
    assert "Kilde: Københavns Kommune, Sygemeldt og på kontanthjælp" in text
    assert "Hos os er det nok, at du melder dig syg her" in text


def test_a_no_records_nothing_and_asks_once_for_what_is_right(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg er syg i dag", "fravaer")
    step = talk.say("nej", "deny")
    assert step.effects == []
    assert "Så sender jeg ikke noget" in said(step)
    assert "Jeg er syg" in choices(step)
    step = talk.say("mit barn er sygt til fredag")
    assert step.effects == []
    assert "dit barn er sygt, fra mandag 23. november til og med fredag 27. november" in said(step)
    recorded = absences(talk.say("ja", "affirm"))
    assert [(a.reason, a.starts_on, a.ends_on) for a in recorded] == [
        ("child_sick", TODAY, date(2026, 11, 27))
    ]


def test_no_and_no_again_leaves_nothing_recorded(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg er syg", "fravaer")
    talk.say("nej", "deny")
    step = talk.say("nej", "deny")
    assert step.effects == []
    assert "Så sender jeg ikke noget" in said(step)
    assert talk.say("ja", "affirm").effects == []


def test_taking_it_back_while_correcting_records_nothing(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg er syg", "fravaer")
    talk.say("nej", "deny")
    step = talk.say("jeg er ikke syg alligevel", "fravaer")
    assert step.effects == []
    assert talk.say("ja", "affirm").effects == []


def test_a_topic_change_drops_the_unconfirmed_notice(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg er syg", "fravaer")
    talk.say("hvor mange feriedage har jeg i mit job", "feriedage")
    assert talk.say("ja", "affirm").effects == []


def test_a_question_about_absence_gets_an_answer_and_records_nothing(engine: FlowEngine) -> None:
    step = Talk(engine).say("hvad sker der hvis jeg er syg og ikke kommer?", "fravaer")
    assert absences(step) == []


def test_periods_and_reasons_are_read_from_the_message(engine: FlowEngine) -> None:
    def recorded(text: str) -> RecordAbsence:
        talk = Talk(engine)
        talk.say(text, "fravaer")
        (absence,) = absences(talk.say("ja", "affirm"))
        return absence

    own = recorded("jeg er syk til søndag")
    assert (own.reason, own.ends_on) == ("own_sickness", date(2026, 11, 29))
    assert recorded("min søn er syg").reason == "child_sick"
    week = recorded("jeg er syg resten af ugen i praktik")
    assert (week.ends_on, week.activity) == (date(2026, 11, 27), "praktik")


def test_sickness_is_never_questioned(engine: FlowEngine) -> None:
    talk = Talk(engine)
    text = said(talk.say("jeg er syg igen", "fravaer")) + said(talk.say("ja", "affirm"))
    for doubt in ("hvorfor", "bevis", "lægeerklæring", "sikker"):
        assert doubt not in text.lower()


def test_an_english_sick_notice_is_confirmed_in_english(engine: FlowEngine) -> None:
    talk = Talk(engine)
    step = talk.say("I am sick today", "fravaer")
    assert SetLanguage("en") in step.effects
    assert "Is that right?" in said(step)
    talk.context = replace(talk.context, language="en")  # what the core does with SetLanguage
    step = talk.say("yes", "affirm")
    assert "We have received your sick notice Monday at 09:12" in said(step)
    assert "The kommune assesses your absence" in said(step)


def test_well_again_ends_the_absence_with_a_receipt(engine: FlowEngine) -> None:
    step = Talk(engine).say("jeg er rask igen", "fravaer")
    assert step.effects == [RecordRecovery(ends_on=TODAY)]
    assert "raskmelding" in said(step)


def test_sick_on_the_day_of_a_meeting_calls_it_off_after_yes(engine: FlowEngine) -> None:
    talk = Talk(engine, next_meeting=meeting(hours_ahead=3))
    asked = talk.say("jeg er syg i dag", "fravaer")
    assert asked.effects == []
    assert "Jeg aflyser også din tid mandag 23. november kl. 12:12" in said(asked)
    step = talk.say("ja", "affirm")
    assert CancelMeeting(77, reason=SICK_CANCEL_REASON) in step.effects
    assert len(absences(step)) == 1
    assert "Din tid mandag 23. november kl. 12:12 er aflyst" in said(step)
    assert "Vil du have en ny tid?" in said(step)


def test_a_meeting_after_the_absence_is_left_alone(engine: FlowEngine) -> None:
    talk = Talk(engine, next_meeting=meeting(hours_ahead=49.8))
    assert "aflyser" not in said(talk.say("jeg er syg i dag", "fravaer"))
    assert not any(isinstance(e, CancelMeeting) for e in talk.say("ja", "affirm").effects)


def test_the_jobcenters_phone_rule_is_in_the_receipt(engine: FlowEngine) -> None:
    rule = SickNoticeRule(phone="70 10 20 30", phone_before=time(9, 0))
    talk = Talk(engine, sick_notice=rule)
    talk.say("jeg er syg", "fravaer")
    text = said(talk.say("ja", "affirm"))
    assert "skal du også ringe til jobcentret på 70 10 20 30 før kl. 09.00" in text
    assert "nok, at du melder dig syg her" not in text


def test_on_sms_the_receipt_is_short_gsm7_and_names_its_source(engine: FlowEngine) -> None:
    talk = Talk(engine, channel="sms")
    talk.say("jeg er syg", "fravaer")
    step = talk.say("1")
    assert len(absences(step)) == 1
    for reply in step.replies:
        assert gsm7_length(reply.text) is not None, reply.text
        assert sms_parts(reply.text) <= 2, reply.text
    assert "Kilde: kk.dk" in said(step)


# Answers to a reminder -------------------------------------------------------------------------

REMINDER = PendingReminder(reminder_id=5, kind="before", booking_id=3, when="i morgen kl. 9.00")


@pytest.mark.parametrize(
    "text", ["syg", "Jeg er syg", "jeg er sygmeldt", "sick", "mit barn er syg"]
)
def test_sick_as_a_reminder_answer_is_read_as_sickness(text: str) -> None:
    assert sick_reason(text) in ("own_sickness", "child_sick")


@pytest.mark.parametrize("text", ["nej", "det passer dårligt", "jeg er ikke syg"])
def test_other_reminder_answers_are_not_sickness(text: str) -> None:
    assert sick_reason(text) is None


def test_syg_to_a_reminder_calls_off_the_meeting_and_records_after_yes(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine, channel="sms", pending_reminder=REMINDER)
    asked = talk.say("syg", "fravaer")
    assert asked.effects == []
    assert "Jeg aflyser også din tid i morgen kl. 9.00" in said(asked)
    # The bot's question was sent after the reminder: the reminder no longer takes the "ja".
    talk.context = replace(talk.context, facts=replace(talk.context.facts, pending_reminder=None))
    step = talk.say("ja", "affirm")
    assert CancelMeeting(3, reason=SICK_CANCEL_REASON) in step.effects
    assert [a.reason for a in absences(step)] == ["own_sickness"]
    assert "Kommunen vurderer dit fravær" in said(step)
    assert "Din tid i morgen kl. 9.00 er aflyst" in said(step)


def test_syg_to_a_reminder_then_no_keeps_the_meeting(engine: FlowEngine) -> None:
    talk = Talk(engine, pending_reminder=REMINDER)
    talk.say("jeg er syg", "fravaer")
    talk.context = replace(talk.context, facts=replace(talk.context.facts, pending_reminder=None))
    step = talk.say("nej", "deny")
    assert step.effects == []


# Plain Danish ----------------------------------------------------------------------------------


def test_every_danish_absence_reply_is_plain(engine: FlowEngine) -> None:
    talk = Talk(engine, next_meeting=meeting(hours_ahead=3))
    steps = [talk.say("jeg er syg til fredag", "fravaer"), talk.say("ja", "affirm")]
    talk = Talk(engine)
    steps += [talk.say("jeg er syg", "fravaer"), talk.say("nej", "deny")]
    for step in steps:
        for reply in step.replies:
            plain = "\n".join(line for line in reply.text.splitlines() if "http" not in line)
            assert lix(plain) <= 35, reply.text
