"""Reading job wishes as they are meant: a limit is a limit for the job, a range stays a range.

"Har ondt i ryggen og kan ikke tåle støj", said while the bot asks about job wishes, tells what
work the citizen cannot do; it is no sick note for today, and the classifier's ``fravaer`` must
not record one. A sick note names a day or says the citizen cannot come. "8-10 timer" is eight
to ten hours a week, not eight.
"""

from __future__ import annotations

import re

from flows.reading import contains_any, fold, number_in, wanted_day
from flows.turn import Turn
from nlu.types import ParseResult

# Words of a limit on work (folded: "tåle" is "tale", "støj" is "stoj", "løft" is "loft").
_LIMIT_PHRASES = (
    "kan ikke tale",
    "taler ikke",
    "kan ikke holde til",
    "kan ikke lofte",
    "kan ikke sta",
    "kan ikke sidde",
    "ondt i",
    "tunge loft",
    "ikke tunge",
    "can t stand",
    "cannot stand",
    "can t lift",
    "cannot lift",
    "no heavy",
    "pain in my",
    "bad back",
)
_LIMIT_STEMS = ("skane", "allergi", "allergic", "stoj", "noise", "gigt", "astma", "asthma")
# A day or "kan ikke komme": then it is an absence after all.
_ABSENT = ("kan ikke komme", "can t come", "cannot come", "syg i dag", "sick today")
_RANGE = re.compile(r"\b(\d{1,2}(?:[.,]5)?)\s*(?:-|–|til|to)\s*(\d{1,2}(?:[.,]5)?)\b")


def is_limit(turn: Turn) -> bool:
    """Does the message tell a limit on work rather than report an absence?"""
    folded = f" {fold(turn.text)} "
    limit = any(f" {phrase}" in folded for phrase in _LIMIT_PHRASES) or contains_any(
        turn.text, _LIMIT_STEMS
    )
    if not limit:
        return False
    absent = any(phrase in folded for phrase in _ABSENT)
    return not absent and wanted_day(turn.text, turn.today) is None


def hours_range(parse: ParseResult) -> tuple[float | None, float | None]:
    """Hours a week, and the top of a range when one is given ("8-10 timer", "8 til 10")."""
    match = _RANGE.search(parse["text"])
    if match:
        low, high = (float(group.replace(",", ".")) for group in match.groups())
        if low < high:
            return low, high
    for entity in parse["entities"]:
        top = entity.get("additional_info", {}).get("to")
        if entity["entity"] == "hours_per_week" and isinstance(top, int | float):
            return float(entity["value"]), float(top)
    return number_in(parse, "hours_per_week", "number"), None
