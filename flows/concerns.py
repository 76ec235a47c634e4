"""A message with several concerns goes to a person, with the concerns listed in the summary.

The NLU reads each sentence of a long message (:mod:`nlu.concerns`); when they are about several
distinct things, answering only the loudest one leaves the rest unanswered. So such a message is
handed to a person, with reason ``several_concerns`` and the concerns in the summary's details
(``concerns``, intent codes the inbox shows in words). A crisis in any one sentence still comes
first (the engine asks :func:`crisis_in_a_sentence` before anything else).
"""

from __future__ import annotations

from flows.handoff import start_handoff
from flows.turn import Turn
from flows.types import HandoffReason
from nlu.types import ParseResult

# Distinct concerns that make a message "several concerns".
MIN_CONCERNS = 3
# In a letter this long two distinct concerns are enough: it is written to be answered in full.
LETTER_CHARS = 400
MIN_CONCERNS_IN_A_LETTER = 2


def crisis_in_a_sentence(parse: ParseResult) -> bool:
    return any(score["name"] == "crisis" for score in parse.get("concerns", []))


def concerns_of(parse: ParseResult) -> list[str]:
    """The distinct concerns, in the order written."""
    distinct: list[str] = []
    for score in parse.get("concerns", []):
        if score["name"] not in distinct:
            distinct.append(score["name"])
    return distinct


def several_concerns(parse: ParseResult, text: str) -> bool:
    """Whether a message is about several distinct things, so a person answers it all."""
    needed = MIN_CONCERNS_IN_A_LETTER if len(text) >= LETTER_CHARS else MIN_CONCERNS
    return len(concerns_of(parse)) >= needed


def several(turn: Turn) -> bool:
    return several_concerns(turn.parse, turn.text)


def hand_off(turn: Turn) -> None:
    """Tell the citizen a person will answer all of it, and hand over with the concerns listed."""
    turn.facts["concerns"] = concerns_of(turn.parse)
    turn.state.last_intent = turn.intent
    turn.say("concerns.several")
    start_handoff(turn, HandoffReason.SEVERAL_CONCERNS)
