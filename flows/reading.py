"""Reading what a citizen wrote, beyond the intent: choices, yes/no, days, times, numbers.

Citizens write "2", "den første", "torsdag kl 10", "forste", "ja tak" and "yes please"; the
NLU gives intents and entities, and these small readers fill the gaps a choice question needs.
Everything is matched on a folded form (lower case, æ/ø/å spelled without them), so missing
Danish letters and SMS spelling still match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nlu.types import ParseResult

_FOLDS = (("æ", "ae"), ("ø", "o"), ("å", "a"), ("aa", "a"), ("oe", "o"), ("é", "e"))
_NON_WORD = re.compile(r"[^\w:.]+")


def fold(text: str) -> str:
    """Lower case, Danish letters spelled out, punctuation reduced to spaces."""
    folded = text.lower()
    for letter, replacement in _FOLDS:
        folded = folded.replace(letter, replacement)
    return " ".join(_NON_WORD.sub(" ", folded).replace(".", " ").split())


def words(text: str) -> set[str]:
    return set(fold(text).split())


_ORDINALS: dict[int, tuple[str, ...]] = {
    1: ("forste", "forst", "forrste", "first", "1st"),
    2: ("anden", "andet", "second", "2nd"),
    3: ("tredje", "tredie", "third", "3rd"),
    4: ("fjerde", "fourth", "4th"),
    5: ("femte", "fifth", "5th"),
    6: ("sjette", "sixth", "6th"),
}
_LAST = ("sidste", "last")
_NUMBER_ONLY = re.compile(
    r"^(?:nr|nummer|number|no|den|tid|option|valg)?\s*(\d{1,2})\s*(?:tak|please|thanks)?$"
)
_MORE = re.compile(
    r"\b(andre tider|anden tid|en anden|flere|senere|other times|another|more|later|"
    r"ingen af dem|none of them|ingen passer)\b"
)
YES_WORDS = frozenset(
    {
        "ja",
        "jo",
        "jep",
        "jaa",
        "ok",
        "okay",
        "yes",
        "yeah",
        "yep",
        "gerne",
        "sure",
        "ja tak",
        "yes please",
        "jatak",
        "fint",
        "det vil jeg gerne",
    }
)
NO_WORDS = frozenset(
    {
        "nej",
        "nej tak",
        "no",
        "nope",
        "no thanks",
        "nah",
        "ellers tak",
        "ikke nu",
        "not now",
        "nej ikke",
        "nej det er fint",
    }
)
TRUSTED_YES_NO = 0.9
_YES_NO_HINTS = frozenset(
    {
        "ja",
        "jo",
        "jep",
        "ok",
        "okay",
        "gerne",
        "fint",
        "godt",
        "super",
        "perfekt",
        "fedt",
        "klart",
        "nemlig",
        "rigtigt",
        "tak",
        "selvfolgelig",
        "yes",
        "yeah",
        "yep",
        "sure",
        "please",
        "right",
        "correct",
        "good",
        "great",
        "fine",
        "nej",
        "ikke",
        "aldrig",
        "hellere",
        "no",
        "not",
        "never",
        "nope",
        "nah",
    }
)
STOP_WORDS = frozenset(
    {
        "stop",
        "glem det",
        "afbryd",
        "fortryd",
        "annuller",
        "forget it",
        "never mind",
        "nevermind",
        "quit",
    }
)


def asks_for_more(text: str) -> bool:
    return bool(_MORE.search(fold(text)))


def is_stop(text: str) -> bool:
    return fold(text) in STOP_WORDS


# Courtesy around an answer ("ok 3", "den første tak"): it does not change the answer. Not "hej":
# "hej 3" may be a new conversation's first words, no pick from the last menu.
_COURTESY = frozenset({"tak", "ok", "okay", "thanks", "please", "mange", "tusind", "super"})


def without_courtesy(text: str) -> str:
    """The folded text without courtesy words at its start and end; "" when nothing else."""
    tokens = fold(text).split()
    while tokens and tokens[0] in _COURTESY:
        tokens.pop(0)
    while tokens and tokens[-1] in _COURTESY:
        tokens.pop()
    return " ".join(tokens)


def pick_choice(text: str, labels: Sequence[str]) -> int | None:
    """The 0-based index of the choice the citizen picked, or None."""
    folded = without_courtesy(text)
    if not folded or not labels:
        return None
    number = _NUMBER_ONLY.match(folded)
    if number:
        index = int(number.group(1)) - 1
        return index if 0 <= index < len(labels) else None
    folded_labels = [fold(label) for label in labels]
    if folded in folded_labels:
        return folded_labels.index(folded)
    tokens = folded.split()
    if len(tokens) <= 5 and not asks_for_more(text):
        for index, names in _ORDINALS.items():
            if index <= len(labels) and any(name in tokens for name in names):
                return index - 1
        if any(name in tokens for name in _LAST):
            return len(labels) - 1
    # "kontanthjælp" picks "Kontanthjælp"; "jeg får førtidspension" picks the pension choice.
    hits = [i for i, label in enumerate(folded_labels) if len(folded) >= 4 and folded in label]
    if len(hits) == 1:
        return hits[0]
    hits = [i for i, label in enumerate(folded_labels) if len(label) >= 4 and label in folded]
    return hits[0] if len(hits) == 1 else None


def yes_or_no(parse: ParseResult) -> bool | None:
    """True for yes, False for no, None when the message is neither."""
    folded = fold(parse["text"])
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    intent = parse["intent"]["name"]
    # The classifier sometimes reads gibberish as yes; trust it when a word agrees or it is sure.
    trusted = parse["intent"]["confidence"] >= TRUSTED_YES_NO or bool(
        set(folded.split()) & _YES_NO_HINTS
    )
    if intent == "affirm" and trusted:
        return True
    if intent == "deny" and trusted:
        return False
    first = folded.split(" ", 1)[0] if folded else ""
    if first in {"ja", "yes", "jo", "jep", "ok"} and len(folded.split()) <= 4:
        return True
    if first in {"nej", "no", "nope"} and len(folded.split()) <= 4:
        return False
    return None


# Days and times ------------------------------------------------------------------------------

_WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mandag", "monday", "mon"),
        ("tirsdag", "tir", "tirs", "tuesday", "tue", "tues"),
        ("onsdag", "ons", "wednesday", "wed"),
        ("torsdag", "tors", "torsdg", "thursday", "thu", "thurs"),
        ("fredag", "fre", "friday"),
        ("lordag", "saturday"),
        ("sondag", "sunday"),
    )
):
    for _name in _names:
        _WEEKDAYS[_name] = _index

_HOUR = re.compile(r"\b(?:kl|klokken|at)\.?\s*(\d{1,2})(?:[:.](\d{2}))?\b|\b(\d{1,2})[:.](\d{2})\b")
_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})\b")


def _weekday_in(tokens: list[str]) -> int | None:
    for token in tokens:
        if token in _WEEKDAYS:
            return _WEEKDAYS[token]
    return None


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def wanted_day(text: str, today: date) -> date | None:
    """A day the citizen names: "i dag", "i morgen", "torsdag", "26/11"."""
    folded = fold(text)
    tokens = folded.split()
    if "i dag" in folded or "idag" in tokens or "today" in tokens:
        return today
    if "i morgen" in folded or "imorgen" in tokens or "tomorrow" in tokens:
        return today + timedelta(days=1)
    weekday = _weekday_in(tokens)
    if weekday is not None:
        return _next_weekday(today, weekday)
    match = _DATE.search(text)
    if match:
        day, month = int(match.group(1)), int(match.group(2))
        try:
            candidate = date(today.year, month, day)
        except ValueError:
            return None
        return candidate if candidate >= today else date(today.year + 1, month, day)
    return None


def wanted_clock(text: str) -> time | None:
    match = _HOUR.search(text.lower())
    if not match:
        return None
    hour = int(match.group(1) or match.group(3))
    minute = int(match.group(2) or match.group(4) or 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if 1 <= hour <= 6:
        hour += 12  # "kl 2" at a jobcenter means the afternoon
    return time(hour, minute)


def entity_moment(parse: ParseResult, tz: ZoneInfo) -> datetime | None:
    """The first ``time`` entity as a local datetime (ISO 8601 value, or a from/to mapping)."""
    for entity in parse["entities"]:
        if entity["entity"] != "time":
            continue
        value = entity["value"]
        if isinstance(value, dict):
            value = value.get("from") or value.get("to")
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            try:
                moment = datetime.combine(date.fromisoformat(value[:10]), time(0))
            except ValueError:
                continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(tz)
    return None


def wanted_time(parse: ParseResult, now: datetime, tz: ZoneInfo) -> tuple[date | None, time | None]:
    """The day and clock time a citizen asks for, from the NLU entity and the text."""
    today = now.astimezone(tz).date()
    text = parse["text"]
    day = wanted_day(text, today)
    clock = wanted_clock(text)
    moment = entity_moment(parse, tz)
    if moment is not None:
        if day is None:
            day = moment.date()
        if clock is None and (moment.hour, moment.minute) != (0, 0):
            clock = moment.time().replace(second=0, microsecond=0, tzinfo=None)
    return day, clock


def weekdays_named(text: str) -> list[int]:
    return sorted({_WEEKDAYS[token] for token in fold(text).split() if token in _WEEKDAYS})


def number_in(parse: ParseResult, *entity_names: str) -> float | None:
    for entity in parse["entities"]:
        if entity["entity"] in entity_names:
            try:
                return float(entity["value"])
            except (TypeError, ValueError):
                continue
    match = re.search(r"\b(\d{1,2}(?:[.,]\d)?)\b", parse["text"])
    if match:
        return float(match.group(1).replace(",", "."))
    return None


# What a message is about -----------------------------------------------------------------------

_QUESTION_START = (
    "hvad",
    "hvordan",
    "hvorfor",
    "hvornar",
    "hvor",
    "ma jeg",
    "skal jeg",
    "kan jeg",
    "har jeg",
    "what",
    "how",
    "why",
    "when",
    "do i",
    "can i",
    "should i",
    "must i",
    "am i",
    "is it",
)
_QUESTION_WORDS = ("regler", "betyder", "sker der", "rules", "mean", "happens", "happen")


def is_question(text: str) -> bool:
    folded = fold(text)
    return (
        "?" in text
        or folded.startswith(_QUESTION_START)
        or any(word in folded for word in _QUESTION_WORDS)
    )


def contains_any(text: str, stems: tuple[str, ...]) -> bool:
    """True when a word of ``text`` starts with one of the folded ``stems``."""
    return any(token.startswith(stem) for token in fold(text).split() for stem in stems)
