"""A phone callback asks for a Danish number when none is known, checks it, and takes it as the
answer even when the classifier reads its digits as something else."""

from __future__ import annotations

import pytest

from flows.callback_phone import danish_phone
from flows.content import Content
from flows.engine import FlowEngine
from flows.questions import AskCallbackPhone
from flows.types import SetCallbackPhone
from tests.flows.test_engine import Talk, said


@pytest.mark.parametrize(
    ("written", "phone"),
    [
        ("20304050", "+4520304050"),
        ("20 30 40 50", "+4520304050"),
        ("+45 20 30 40 50", "+4520304050"),
        ("0045-2030-4050", "+4520304050"),
        ("  91.23.45.67 ", "+4591234567"),
    ],
)
def test_a_danish_number_is_read_however_it_is_spaced(written: str, phone: str) -> None:
    assert danish_phone(written) == phone


@pytest.mark.parametrize(
    "written", ["1234567", "203040501", "02030405", "12345678", "+46 20304050", "ring mig"]
)
def test_what_is_no_danish_number_is_refused(written: str) -> None:
    assert danish_phone(written) is None


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


@pytest.mark.parametrize("read_as", ["book_meeting", "reschedule_meeting", "opening_hours"])
def test_a_number_answers_the_question_whatever_the_classifier_makes_of_its_digits(
    engine: FlowEngine, read_as: str
) -> None:
    talk = Talk(engine, phone_known=False)
    talk.state = {"pending": AskCallbackPhone(text="Hvilket nummer?").to_stored()}
    step = talk.say("+45 20 30 40 50", read_as, confidence=0.95)
    assert step.effects == [SetCallbackPhone("+4520304050")]
    assert "20 30 40 50" in said(step)


def test_words_while_the_number_is_asked_are_read_as_usual(engine: FlowEngine) -> None:
    talk = Talk(engine, phone_known=False)
    talk.state = {"pending": AskCallbackPhone(text="Hvilket nummer?").to_stored()}
    step = talk.say("hvornår har I åbent", "opening_hours", confidence=0.95)
    assert not any(isinstance(effect, SetCallbackPhone) for effect in step.effects)
