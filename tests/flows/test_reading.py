"""Reading choices, yes/no, days and times and the language from what citizens write."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from flows.language import language_asked_for, written_language
from flows.reading import (
    fold,
    pick_choice,
    wanted_time,
    yes_or_no,
)
from tests.flows.parses import NOW, parse, time_entity

LABELS = [
    "mandag 23. november kl. 11:00, Jobcentret",
    "tirsdag 24. november kl. 09:00, Jobcentret",
    "Andre tider",
]
TZ = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("2", 1),
        ("nr. 2", 1),
        ("nummer 1", 0),
        ("den første", 0),
        ("den forste", 0),
        ("første", 0),
        ("the second one", 1),
        ("den sidste", 2),
        ("tirsdag 24. november kl. 09:00, Jobcentret", 1),
        ("andre tider", 2),
        ("7", None),
        ("torsdag kl 10", None),
        ("hvad med ferie", None),
    ],
)
def test_a_choice_is_picked_by_number_ordinal_or_its_text(text: str, index: int | None) -> None:
    assert pick_choice(text, LABELS) == index


@pytest.mark.parametrize(
    ("text", "intent", "answer"),
    [
        ("ja", "nlu_fallback", True),
        ("JA TAK", "nlu_fallback", True),
        ("yes please", "nlu_fallback", True),
        ("nej tak", "nlu_fallback", False),
        ("det vil jeg gerne", "affirm", True),
        ("nope", "nlu_fallback", False),
        ("måske", "nlu_fallback", None),
    ],
)
def test_yes_and_no_are_understood(text: str, intent: str, answer: bool | None) -> None:
    assert yes_or_no(parse(text, intent)) is answer


def test_a_named_day_and_hour_are_read_from_the_text() -> None:
    assert wanted_time(parse("torsdag kl 10"), NOW, TZ) == (date(2026, 11, 26), time(10))
    assert wanted_time(parse("i morgen kl. 9.30"), NOW, TZ) == (date(2026, 11, 24), time(9, 30))
    assert wanted_time(parse("kl 2"), NOW, TZ) == (None, time(14))


def test_the_nlu_time_entity_is_used_when_the_text_alone_says_nothing() -> None:
    day, clock = wanted_time(
        parse("den dag", entities=[time_entity("2026-11-27T13:00:00+01:00")]), NOW, TZ
    )
    assert (day, clock) == (date(2026, 11, 27), time(13))


def test_danish_letters_and_their_spellings_fold_alike() -> None:
    assert (
        fold("Førtidspension på Ærø")
        == fold("foertidspension paa aero")
        == fold("fortidspension pa aero")
    )


def test_the_written_language_is_recognised_only_when_clear() -> None:
    assert written_language("I am sick today and can't come") == "en"
    assert written_language("jeg er syg i dag") == "da"
    assert written_language("er i åbne i morgen") == "da"  # "i" is no English "I" here
    assert written_language("i want a meeting") == "en"
    assert written_language("ok") is None
    assert written_language("Hi") == "en"
    assert written_language("hej") is None
    assert language_asked_for("English please") == "en"
    assert language_asked_for("kan vi skrive på dansk") == "da"
