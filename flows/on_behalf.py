"""A message written on behalf of someone else ("jeg skriver for min søn", a bostøtte, "on behalf
of"): read by simple phrases on the folded text, so that nothing is booked in the writer's name.
"""

from __future__ import annotations

from flows.reading import contains_any, fold

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
