"""Hand-built NLU results and flow contexts for testing flows without a model or database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flows.types import FlowContext, HelpLine, KnownFacts, MeetingInfo, SlotOffer, Staffing
from nlu.types import Entity, IntentScore, ParseResult

# Monday 23 November 2026, 09:12 in Copenhagen.
NOW = datetime(2026, 11, 23, 8, 12, tzinfo=UTC)


def parse(
    text: str,
    intent: str = "nlu_fallback",
    confidence: float = 0.95,
    entities: list[Entity] | None = None,
    ranking: list[IntentScore] | None = None,
) -> ParseResult:
    score = IntentScore(name=intent, confidence=confidence)
    return ParseResult(
        text=text, intent=score, entities=entities or [], intent_ranking=ranking or [score]
    )


def time_entity(value: str) -> Entity:
    return Entity(entity="time", value=value, start=0, end=1, extractor="test")


def slot(slot_id: int, hours_ahead: float, kind: str = "office") -> SlotOffer:
    starts = NOW + timedelta(hours=hours_ahead)
    return SlotOffer(
        slot_id=slot_id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        consultant="Anna Holm",
        location="Telefon" if kind == "phone" else "Jobcentret",
        address=None if kind == "phone" else "Demovej 1",
        kind=kind,
    )


# Mon 11:00, Mon 13:00, Tue 09:00, Tue 10:00, Thu 10:00 (local), and a phone slot Tue 12:00.
SLOTS = (slot(1, 1.8), slot(2, 3.8), slot(3, 23.8), slot(4, 24.8), slot(5, 72.8))
CALLBACKS = (slot(9, 26.8, "phone"),)


def meeting(hours_ahead: float = 49.8) -> MeetingInfo:
    starts = NOW + timedelta(hours=hours_ahead)
    return MeetingInfo(
        booking_id=77,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        consultant="Karim Said",
        location="Åben rådgivning i Bydelshuset",
        address="Boligvej 12",
    )


# The demo region's help lines (config.yml crisis.help_lines).
HELP_LINES = (
    HelpLine("Livslinien", "70 201 201", time(11, 0), time(5, 0), "https://www.livslinien.dk"),
    HelpLine("Akuttelefonen", "1813", source="https://www.regionh.dk"),
)


def context(**changes: Any) -> FlowContext:
    """A context with free times and an open counter; ``changes`` may name facts too."""
    facts: dict[str, Any] = {
        "free_slots": SLOTS,
        "callback_slots": CALLBACKS,
        "staffing": Staffing(open_now=True, waiting_ahead=1, expected_wait_minutes=20),
    }
    values: dict[str, Any] = {
        "now": NOW,
        "language": "da",
        "channel": "web",
        "citizen_id": 1,
        "help_lines": HELP_LINES,
    }
    for name, value in changes.items():
        (facts if name in KnownFacts.__dataclass_fields__ else values)[name] = value
    return FlowContext(**values, facts=KnownFacts(**facts))
