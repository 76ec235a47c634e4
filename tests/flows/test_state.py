"""The typed flow state and its stored JSON form: rows stored today read back unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from flows.questions import (
    Action,
    AskJobWish,
    BookingPlan,
    ChooseSlot,
    ConfirmCancel,
    JobProfile,
    Menu,
    Purpose,
    YesNo,
)
from flows.state import FlowState, Suspended
from flows.types import HandoffReason

STORED: list[dict[str, Any]] = [
    {},
    {"misses": 1, "last_intent": "book_meeting", "facts": {"topic": "fravaer"}},
    {
        "misses": 0,
        "pending": {
            "kind": "slots",
            "text": "Vælg en tid",
            "choices": ["man. kl. 9", "Andre tider"],
            "slot_ids": [3],
            "all_ids": [3, 4],
            "offset": 0,
            "purpose": "reschedule",
            "topic": None,
            "booking_id": 77,
        },
    },
    {
        "misses": 0,
        "pending": {"kind": "yesno", "text": "Ok?", "choices": ["Ja", "Nej"], "yes": {}, "no": {}},
        "suspended": {
            "kind": "job",
            "text": "Hvor mange timer?",
            "choices": [],
            "field": "hours",
            "profile": {"kinds": ["lager"]},
            "flow": "jobonsker",
        },
    },
    {
        "misses": 0,
        "handoff_reason": "misunderstood",
        "pending": {
            "kind": "menu",
            "text": "Vi har lukket",
            "choices": ["Vent", "Ring mig op"],
            "options": ["handoff_wait", "callback"],
            "reason": "misunderstood",
        },
    },
    {
        "misses": 0,
        "pending": {
            "kind": "yesno",
            "text": "Er det rigtigt?",
            "choices": ["Ja, det er rigtigt", "Nej, det passer ikke"],
            "yes": {"start": "absence_confirmed"},
            "no": {"start": "absence_not_right"},
        },
        "absence_to_confirm": {"reason": "own_sickness", "from": "2026-11-23", "to": None},
    },
]


@pytest.mark.parametrize("stored", STORED)
def test_a_stored_state_reads_and_is_stored_again_as_it_was(stored: dict[str, Any]) -> None:
    state = FlowState.from_stored(stored)
    assert FlowState.from_stored(state.to_stored()) == state
    assert state.to_stored() == {"misses": 0, **stored}


def test_the_kinds_read_with_their_typed_fields() -> None:
    slots = FlowState.from_stored(STORED[2]).pending
    assert slots == ChooseSlot(
        text="Vælg en tid",
        choices=("man. kl. 9", "Andre tider"),
        plan=BookingPlan(Purpose.RESCHEDULE, None, 77),
        slot_ids=(3,),
        all_ids=(3, 4),
    )
    state = FlowState.from_stored(STORED[3])
    assert state.pending == YesNo(text="Ok?", choices=("Ja", "Nej"))
    assert state.suspended == Suspended(
        AskJobWish(text="Hvor mange timer?", field="hours", profile=JobProfile(1, ("lager",))),
        "jobonsker",
    )
    menu = FlowState.from_stored(STORED[4])
    assert isinstance(menu.pending, Menu)
    assert menu.pending.reason is HandoffReason.MISUNDERSTOOD
    assert menu.handoff_reason is HandoffReason.MISUNDERSTOOD


def test_a_question_stores_the_shape_the_flows_always_stored() -> None:
    question = ConfirmCancel(text="Aflys?", choices=("Ja", "Nej"), booking_id=5, when="i morgen")
    assert question.to_stored() == {
        "kind": "confirm_cancel",
        "text": "Aflys?",
        "choices": ["Ja", "Nej"],
        "booking_id": 5,
        "when": "i morgen",
    }
    yes = YesNo(text="Book?", yes=Action(start="book_meeting", topic="jobonsker"))
    assert yes.to_stored()["yes"] == {"start": "book_meeting", "topic": "jobonsker"}


@pytest.mark.parametrize(
    "stored",
    [
        None,
        [],
        "pending",
        {"pending": {"kind": "a_kind_from_next_year", "text": "?"}},
        {"pending": {"kind": "confirm_slot", "text": "?"}},  # no slot id
        {"pending": {"kind": "slots", "slot_ids": ["3"]}},
        {"misses": "two"},
        {"facts": ["topic"]},
    ],
)
def test_an_unknown_or_malformed_state_reads_as_an_empty_state(stored: object) -> None:
    assert FlowState.from_stored(stored) == FlowState()


def test_an_absence_to_confirm_that_is_not_a_mapping_reads_as_an_empty_state() -> None:
    assert FlowState.from_stored({"absence_to_confirm": ["syg"]}) == FlowState()
