"""The NLU result types (Rasa's ``/model/parse`` JSON shape) and the recognizer protocol."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, Protocol, TypedDict

# The intents every backend must know, by these exact names.
INTENTS: tuple[str, ...] = (
    "fravaer",
    "feriedage",
    "loen_vs_pension",
    "jobonsker",
    "book_meeting",
    "reschedule_meeting",
    "cancel_meeting",
    "meeting_info",
    "opening_hours",
    "human_handoff",
    "crisis",
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "opt_out",
    "privacy",
    "out_of_scope",
    "letter_help",
    "complaint",
    "companion",
    "benefit_amount",
    "case_status",
    "meeting_prep",
)

# As in Rasa's FallbackClassifier: the intent below the confidence threshold.
FALLBACK_INTENT = "nlu_fallback"


class IntentScore(TypedDict):
    name: str
    confidence: float


class Entity(TypedDict):
    entity: str
    value: Any
    start: int
    end: int
    extractor: str
    # As Rasa's DucklingEntityExtractor: e.g. {"grain": "hour", "to": "...ISO..."} for a time.
    additional_info: NotRequired[dict[str, Any]]


class ParseResult(TypedDict):
    text: str
    intent: IntentScore
    entities: list[Entity]
    intent_ranking: list[IntentScore]
    # Not Rasa's: the intent of each sentence that is a concern (nlu.concerns), when several.
    concerns: NotRequired[list[IntentScore]]


class IntentRecognizer(Protocol):
    """Anything that turns a message into a :class:`ParseResult`.

    ``now`` is the reference time for relative dates ("i morgen kl 10"), timezone-aware.
    """

    def parse(self, text: str, *, now: datetime | None = None) -> ParseResult: ...


def empty_result(text: str, intent: str = FALLBACK_INTENT, confidence: float = 0.0) -> ParseResult:
    score = IntentScore(name=intent, confidence=confidence)
    return ParseResult(text=text, intent=score, entities=[], intent_ranking=[score])
