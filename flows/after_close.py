"""After a consultant closed a chat: the citizen's answer to the consultant's last question goes
back to a person, and one "Fik du hjælp?" with three plain choices is answered.

The inbox leaves the question in the new conversation's flow state when it closes the old one
(``bot/inbox/closing.py``); this module reads the answer. Both are questions like any other,
so a crisis message still comes first (the engine checks for one before any open question).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.handoff import queue
from flows.questions import ConsultantQuestion, Menu
from flows.registry import IntentHandler, Registry
from flows.turn import Turn
from flows.types import Effect, HandoffReason

# The satisfaction answers, in the order of the choices, by the intent each choice starts.
SATISFACTION_OPTIONS = {
    "satisfaction_yes": "yes",
    "satisfaction_partly": "partly",
    "satisfaction_no": "no",
}


@dataclass(frozen=True, slots=True)
class RecordSatisfaction(Effect):
    """The citizen answered "Fik du hjælp?": ``answer`` is yes, partly or no."""

    answer: str


def register(registry: Registry) -> None:
    for option, answer in SATISFACTION_OPTIONS.items():
        registry.intent(option, _satisfied(answer))
    registry.answer(ConsultantQuestion, _answers_consultant)


def satisfaction_question(text: str, choices: tuple[str, ...]) -> Menu:
    """The question left open after a closed chat (its words from ``after_close.satisfaction``)."""
    return Menu(text=text, choices=choices, options=tuple(SATISFACTION_OPTIONS))


def _satisfied(answer: str) -> IntentHandler:
    def record(turn: Turn, _topic: str | None) -> None:
        turn.effects.append(RecordSatisfaction(answer))
        turn.say("after_close.satisfaction_thanks")

    return record


def _answers_consultant(turn: Turn, _question: ConsultantQuestion) -> bool:
    """Any message answers the consultant's question: it goes to the queue with a summary."""
    queue(turn, HandoffReason.ANSWER_AFTER_CLOSE)
    return True
