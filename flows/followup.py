"""The offer every new topic ends with: a meeting or a person (issue 16).

A yes/no, as the wage answers' offer: "ja" is the commonest reply and books a meeting about the
topic kept in ``facts["topic"]``; the text says how to reach a person instead ("medarbejder" is
read as asking for one, whatever is open). A writer on behalf of someone else is offered a person
only, since a booking would be made in the writer's name (branch dialogue's ``flows/on_behalf.py``
asks whose errand it is before any errand; this is the same caution where the new topics offer
one).
"""

from __future__ import annotations

from flows.questions import Action
from flows.reading import contains_any, fold
from flows.turn import Turn

# Someone writing for another person: the words that say so.
_ON_BEHALF_PHRASES = (
    "skriver for",
    "skriver pa vegne",
    "pa vegne af",
    "pa hans vegne",
    "pa hendes vegne",
    "for min son",
    "for min datter",
    "for min mor",
    "for min far",
    "for min bror",
    "for min soster",
    "for min kone",
    "for min mand",
    "for min ven",
    "for min borger",
    "min borger",
    "min son",
    "min datter",
    "on behalf",
    "writing for",
    "for my son",
    "for my daughter",
    "for my mother",
    "for my father",
    "for my client",
    "my son",
    "my daughter",
)
_SUPPORT_WORKERS = ("bostot", "stottekontakt", "kontaktperson", "parorende", "support worker")


def writes_on_behalf(text: str) -> bool:
    """Does the message say its writer writes for someone else?"""
    folded = f" {fold(text)} "
    if any(f" {phrase} " in folded for phrase in _ON_BEHALF_PHRASES):
        return True
    return contains_any(text, _SUPPORT_WORKERS)


def offer_meeting_or_person(turn: Turn) -> None:
    if turn.facts.get("writes_on_behalf") or writes_on_behalf(turn.text):
        turn.facts["writes_on_behalf"] = True
        offer_person(turn, "followup.person_on_behalf")
        return
    turn.ask_yes_no(
        turn.t("followup.meeting_or_person"),
        yes=Action(start="book_meeting", topic=turn.state.topic),
    )


def offer_person(turn: Turn, key: str = "followup.person", start: str = "human_handoff") -> None:
    """A yes/no: a yes hands over to a person (``start``: the handoff reason's flow)."""
    turn.ask_yes_no(turn.t(key), yes=Action(start=start))
