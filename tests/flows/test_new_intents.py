"""The six topics of issue 16 through the pure engine: each answers with its sourced rule, never
an amount or an outcome, and ends with the offer of a meeting or a person; the same on the web
chat, SMS and Telegram (SMS gets the short text with its source and no links)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from flows.types import BookMeeting, HandOff, Step, StoredState
from tests.flows.parses import context, parse

CHANNELS = ("web", "sms", "telegram")


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


class Talk:
    def __init__(self, engine: FlowEngine, **changes: Any) -> None:
        self.engine = engine
        self.state: StoredState = {}
        self.context = context(**changes)

    def say(self, text: str, intent: str = "nlu_fallback") -> Step:
        step = self.engine.step(self.state, parse(text, intent), self.context)
        self.state = step.next_state
        return step


def said(step: Step) -> str:
    return "\n".join(reply.text for reply in step.replies)


def choices(step: Step) -> list[str]:
    return [choice for reply in step.replies for choice in reply.choices]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_partshoering_is_explained_with_its_deadline_and_a_meeting_or_person_is_offered(
    engine: FlowEngine, channel: str
) -> None:
    step = Talk(engine, channel=channel).say(
        "jeg har fået et brev om partshøring, hvad betyder det", "letter_help"
    )
    text = said(step)
    assert "partshøring" in text.lower()
    assert "frist" in text.lower() or "senest" in text.lower()
    assert "Ja" in choices(step)
    if channel == "sms":
        assert "Kilde: Forvaltningsloven § 19" in text
        assert "https://" not in text
    else:
        assert "§ 19, stk. 1" in text
        assert "https://" in text


def test_a_photo_of_the_letter_is_invited_only_where_pictures_can_be_sent(
    engine: FlowEngine,
) -> None:
    question = "hvad betyder min afgørelse"
    assert "billede" in said(Talk(engine, channel="telegram").say(question, "letter_help"))
    assert "billede" not in said(Talk(engine, channel="web").say(question, "letter_help"))


def test_a_letter_of_unknown_kind_is_asked_about_then_answered_by_the_choice(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine)
    step = talk.say("jeg forstår ikke mit brev", "letter_help")
    assert "Hvad slags brev" in said(step)
    assert "Digital Post eller e-Boks" in choices(step)
    step = talk.say("Digital Post eller e-Boks")
    assert "Borgerservice" in said(step)
    assert "fritaget" in said(step)


def test_something_else_goes_to_a_person(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("jeg har fået et mærkeligt brev", "letter_help")
    step = talk.say("Noget andet")
    assert any(isinstance(effect, HandOff) for effect in step.effects)


def test_a_complaint_names_the_deadline_and_ankestyrelsen_and_promises_no_outcome(
    engine: FlowEngine,
) -> None:
    step = Talk(engine).say("jeg er uenig i at jeg er blevet trukket i kontanthjælp", "complaint")
    text = said(step)
    assert "4 uger" in text
    assert "Ankestyrelsen" in text
    assert "kan ikke sige, hvordan din klage ender" in text
    assert " kr" not in text


def test_wanting_another_caseworker_is_answered_as_such(engine: FlowEngine) -> None:
    text = said(Talk(engine).say("jeg vil have en ny sagsbehandler", "complaint"))
    assert "anden sagsbehandler" in text
    assert "borgerrådgiver" in text


def test_a_meeting_booked_from_the_offer_keeps_the_topic(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("hvordan klager jeg over en afgørelse", "complaint")
    assert "ledige tider" in said(talk.say("ja", "affirm"))
    talk.say("1")
    step = talk.say("ja", "affirm")
    booked = [effect for effect in step.effects if isinstance(effect, BookMeeting)]
    assert booked
    assert booked[0].topic == "complaint"


def test_a_companion_question_explains_bisidder_and_consent(engine: FlowEngine) -> None:
    step = Talk(engine).say("må jeg tage min søster med som bisidder", "companion")
    text = said(step)
    assert "bisidder" in text
    assert "samtykke" in text
    assert "§ 8" in text
    assert "Ja" in choices(step)


def test_a_writer_on_behalf_is_asked_for_consent_and_offered_only_a_person(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine)
    step = talk.say("jeg er bostøtte og skriver for Mikkel, kan jeg komme med", "companion")
    text = said(step)
    assert "skriftligt" in text.lower() or "på skrift" in text
    assert "booker ikke" in text
    assert "samtale om det" not in text
    step = talk.say("ja", "affirm")
    handoffs = [effect for effect in step.effects if isinstance(effect, HandOff)]
    assert handoffs
    assert handoffs[0].summary["details"]["writes_on_behalf"] is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hvor meget får man i kontanthjælp", "Ydelseskontoret"),
        ("hvornår bliver kontanthjælpen udbetalt", "bagud"),
        ("kan jeg få hjælp til tandlæge", "før du køber"),
    ],
)
def test_money_questions_name_who_knows_and_never_an_amount(
    engine: FlowEngine, text: str, expected: str
) -> None:
    answer = said(Talk(engine).say(text, "benefit_amount"))
    assert expected.lower() in answer.lower()
    assert " kr" not in answer
    assert "kroner" not in answer


def test_a_pension_case_says_who_decides_under_the_2026_rules_then_the_deadlines_then_a_person(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine)
    step = talk.say("hvor langt er min sag om førtidspension", "case_status")
    text = said(step)
    assert "kommunen, der afgør" in text
    assert "ikke længere først til et rehabiliteringsteam" in text
    assert "frister" in text
    step = talk.say("ja", "affirm")
    assert any(isinstance(effect, HandOff) for effect in step.effects)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jeg skal have en tolk med til mødet", "tolk"),
        ("kan mødet foregå på telefon i stedet", "telefon"),
        ("hvad skal jeg have med til mødet", "indkaldelsen"),
    ],
)
def test_meeting_prep_answers_what_is_asked(engine: FlowEngine, text: str, expected: str) -> None:
    step = Talk(engine).say(text, "meeting_prep")
    assert expected in said(step)
    assert "Ja" in choices(step)


def test_english_gets_the_english_wording(engine: FlowEngine) -> None:
    talk = Talk(engine, language="en")
    text = said(talk.say("how do I complain about a decision", "complaint"))
    assert "Ankestyrelsen" in text
    assert "4 weeks" in text


def test_a_letter_question_written_for_someone_else_offers_a_person_not_a_meeting(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine)
    step = talk.say("min søn har fået en indkaldelse, jeg skriver for ham", "letter_help")
    assert "indkaldelse" in said(step)
    assert "samtale om det" not in said(step)
    step = talk.say("ja", "affirm")
    assert not [effect for effect in step.effects if isinstance(effect, BookMeeting)]
    assert any(isinstance(effect, HandOff) for effect in step.effects)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hvad betyder en indkaldelse", "letter_help"),
        ("hvordan klager jeg over en afgørelse", "complaint"),
        ("må jeg have en bisidder med", "companion"),
        ("hvor meget er satsen", "benefit_amount"),
        ("hvor langt er min sag om fleksjob", "case_status"),
        ("hvad skal jeg have med til mødet", "meeting_prep"),
        ("hvad med min boligstøtte", "out_of_scope"),
    ],
)
def test_every_new_topic_answers_with_its_source_and_leaves_an_offer_on_every_channel(
    engine: FlowEngine, channel: str, text: str, intent: str
) -> None:
    talk = Talk(engine, channel=channel)
    step = talk.say(text, intent)
    answer = said(step)
    assert ("Kilde:" in answer) or ("https://" in answer)
    assert talk.state.get("pending", {}).get("kind") == "yesno"
    assert not re.search(r"\d\s*(?:kr\b|kroner|DKK)", answer)
