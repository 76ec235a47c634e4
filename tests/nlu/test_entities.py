"""Entities as citizens write them, resolved against Monday 23 Nov 2026, 09:12 in Copenhagen."""

from __future__ import annotations

import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import extract_entities
from tests.conftest import REFERENCE_TIME

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _found(text: str) -> list[tuple[str, Any, str]]:
    return [
        (entity["entity"], entity["value"], text[entity["start"] : entity["end"]])
        for entity in extract_entities(text, REFERENCE_TIME, COPENHAGEN)
    ]


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("i morgen kl 10", "2026-11-24T10:00:00+01:00", "i morgen kl 10"),
        ("kan jeg komme imorgen kl 8.30", "2026-11-24T08:30:00+01:00", "imorgen kl 8.30"),
        ("på torsdag", "2026-11-26T00:00:00+01:00", "på torsdag"),
        ("paa torsdag kl 14", "2026-11-26T14:00:00+01:00", "paa torsdag kl 14"),
        ("kl 14 på fredag", "2026-11-27T14:00:00+01:00", "kl 14 på fredag"),
        ("næste uge", "2026-11-30T00:00:00+01:00", "næste uge"),
        ("naeste uge", "2026-11-30T00:00:00+01:00", "naeste uge"),
        ("d. 4/12 kl. 13.30", "2026-12-04T13:30:00+01:00", "d. 4/12 kl. 13.30"),
        ("den 4. december kl 9", "2026-12-04T09:00:00+01:00", "den 4. december kl 9"),
        ("fredag d. 27/11 kl 10", "2026-11-27T10:00:00+01:00", "fredag d. 27/11 kl 10"),
        ("tomorrow at 2pm", "2026-11-24T14:00:00+01:00", "tomorrow at 2pm"),
        ("next monday at 10:30", "2026-11-30T10:30:00+01:00", "next monday at 10:30"),
        ("kl 9", "2026-11-24T09:00:00+01:00", "kl 9"),  # 9:00 has passed today
        ("kl 2", "2026-11-23T14:00:00+01:00", "kl 2"),  # office hours: the afternoon
        ("halv 10", "2026-11-23T09:30:00+01:00", "halv 10"),
        ("kvart over 9 i morgen", "2026-11-24T09:15:00+01:00", "kvart over 9 i morgen"),
        ("om eftermiddagen", "2026-11-23T12:00:00+01:00", "om eftermiddagen"),
        ("torsdag eftermiddag", "2026-11-26T12:00:00+01:00", "torsdag eftermiddag"),
        ("i overmorgen", "2026-11-25T00:00:00+01:00", "i overmorgen"),
        ("om 2 uger", "2026-12-07T00:00:00+01:00", "om 2 uger"),
        ("mandag", "2026-11-30T00:00:00+01:00", "mandag"),  # today is Monday: the next one
        ("d. 4/1", "2027-01-04T00:00:00+01:00", "d. 4/1"),  # passed this year: next year
        ("1/7 kl 10", "2027-07-01T10:00:00+02:00", "1/7 kl 10"),  # summer time
        ("tirsdag i næste uge kl 10", "2026-12-01T10:00:00+01:00", "tirsdag i næste uge kl 10"),
        ("i næste uge om tirsdagen", "2026-12-01T00:00:00+01:00", "i næste uge om tirsdagen"),
        ("torsdag morgen", "2026-11-26T07:00:00+01:00", "torsdag morgen"),
        ("ved 10-tiden", "2026-11-23T10:00:00+01:00", "ved 10"),
    ],
)
def test_time_expressions_resolve_to_copenhagen_iso(text: str, value: str, span: str) -> None:
    assert _found(text) == [("time", value, span)]


def test_a_period_carries_its_grain_and_end() -> None:
    (entity,) = extract_entities("næste uge", REFERENCE_TIME, COPENHAGEN)
    assert entity["additional_info"] == {"grain": "week", "to": "2026-12-07T00:00:00+01:00"}
    (afternoon,) = extract_entities("om eftermiddagen", REFERENCE_TIME, COPENHAGEN)
    assert afternoon["additional_info"]["to"] == "2026-11-23T17:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("svar 2", [("number", 2, "svar 2")]),
        ("2", [("number", 2, "2")]),
        ("nr. 3 tak", [("number", 3, "nr. 3")]),
        ("svar: 3", [("number", 3, "svar: 3")]),
        ("ny tiden", []),  # "tiden" is not "tid en"
        ("den første", [("number", 1, "den første")]),
        ("the second one", [("number", 2, "the second")]),
        ("3000 kr", [("amount_dkk", 3000, "3000 kr")]),
        ("hvad hvis jeg tjener 3.500 kr om måneden", [("amount_dkk", 3500, "3.500 kr")]),
        ("kan jeg tjene 4000", [("amount_dkk", 4000, "4000")]),
        ("5k kr", [("amount_dkk", 5000, "5k kr")]),
        ("DKK 250", [("amount_dkk", 250, "DKK 250")]),
        ("jeg kan arbejde 10 timer om ugen", [("hours_per_week", 10, "10 timer om ugen")]),
        ("12 t/uge", [("hours_per_week", 12, "12 t/uge")]),
        ("15 hours a week", [("hours_per_week", 15, "15 hours a week")]),
        ("hej mit cpr er 010190-1234", [("cpr", "[CPR fjernet]", "010190-1234")]),
        ("ring på 12345678", []),  # a phone number is not a CPR number
        ("jeg har 3 børn", []),
    ],
)
def test_numbers_amounts_hours_and_cpr(text: str, found: list[tuple[str, Any, str]]) -> None:
    assert _found(text) == found


def test_a_range_of_hours_keeps_both_ends() -> None:
    (entity,) = extract_entities("10-15 timer om ugen", REFERENCE_TIME, COPENHAGEN)
    assert (entity["value"], entity["additional_info"]) == (10, {"to": 15})


def test_a_cpr_number_never_appears_in_the_result() -> None:
    entities = extract_entities("cpr 010190-1234", REFERENCE_TIME, COPENHAGEN)
    assert "010190" not in repr(entities)


def test_spans_do_not_overlap() -> None:
    text = "kan jeg få tid 2 på torsdag kl 10, jeg tjener 3000 kr og kan 10 timer om ugen"
    spans = sorted(
        (e["start"], e["end"]) for e in extract_entities(text, REFERENCE_TIME, COPENHAGEN)
    )
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))
    assert len(spans) == 4
