"""Rule-based entities in Rasa's shape: time, number, amount_dkk, hours_per_week, cpr.

- ``time``: see :mod:`nlu.time_expressions`; the value is ISO 8601 in Europe/Copenhagen and
  ``additional_info`` carries the grain (and the end of a period), as Rasa's Duckling extractor.
- ``number``: an answer to a numbered choice: "2", "svar 2", "nr 3", "den første", "the second".
- ``amount_dkk``: "3.000 kr", "4000 kroner", "DKK 250", "tjene 5000".
- ``hours_per_week``: "10 timer om ugen", "12 t/uge", "15 hours a week", "10-15 timer om ugen".
- ``cpr``: a valid CPR number; its value is the mask, never the number (it is found so that it
  can be removed, see :mod:`bot.kernel.cpr`).

Spans never overlap: a digit that belongs to a time, an amount or a CPR number is not also a
``number``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.kernel.cpr import CPR_MASK, cpr_spans
from nlu.time_expressions import find_times
from nlu.types import Entity

EXTRACTOR = "BorgerchatRuleExtractor"

_NUMBER_TEXT = r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?P<a>{_NUMBER_TEXT})\s*(?:k\b|t\b|tusind\b)?\s*(?:kr\b\.?|kroner\b|dkk\b|,-)"
    rf"|(?:\bkr\.?|\bdkk)\s*(?P<b>{_NUMBER_TEXT})"
    rf"|\b(?:tjene|tjener|tjent|tjente|earn|earning|earned|make|løn på|loen paa|lon pa)\s+"
    rf"(?:(?:ca\.?|cirka|omkring|about|op til|max|maks)\s+)?(?P<c>{_NUMBER_TEXT})(?![\d:])"
    rf"(?:\s*(?:kr\b\.?|kroner\b|dkk\b|,-))?",
    re.IGNORECASE,
)
_HOURS = re.compile(
    r"(?P<low>\d{1,2}(?:[.,]5)?)(?:\s*(?:-|til|to)\s*(?P<high>\d{1,2}(?:[.,]5)?))?\s*"
    r"(?:timer|time|tim|t|hours?|hrs?|h)\.?\s*"
    r"(?:om|i|pr\.?|per|a|an|om\s+the|/|ugentligt|weekly)\s*(?:ugen|uge|week|u)?\b"
    r"|(?P<low2>\d{1,2})\s*(?:-\s*(?P<high2>\d{1,2})\s*)?(?:timer|hours?)\s+(?:ugentlig|ugentligt|weekly)",
    re.IGNORECASE,
)
_ORDINALS = {
    "første": 1, "foerste": 1, "forste": 1, "først": 1, "first": 1, "1st": 1,
    "anden": 2, "andet": 2, "second": 2, "2nd": 2, "tredje": 3, "third": 3, "3rd": 3,
    "fjerde": 4, "fourth": 4, "4th": 4, "femte": 5, "fifth": 5, "5th": 5,
    "sjette": 6, "sixth": 6, "6th": 6, "sidste": -1, "last": -1,
}  # fmt: skip
_CARDINALS = {
    "en": 1, "et": 1, "one": 1, "to": 2, "two": 2, "tre": 3, "three": 3, "fire": 4, "four": 4,
    "fem": 5, "five": 5, "seks": 6, "six": 6,
}  # fmt: skip
_ORDINAL_WORDS = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_CARDINAL_WORDS = "|".join(sorted(_CARDINALS, key=len, reverse=True))
_CHOICE = re.compile(
    rf"\b(?:svar|nr|nummer|number|no|option|valg|mulighed|choice|tid)\.?:?"
    rf"(?:\s*(?P<n>\d{{1,2}})|\s+(?P<n_word>{_CARDINAL_WORDS}))\b"
    rf"|\b(?:den|det|the)\s+(?P<ord>{_ORDINAL_WORDS})\b"
    rf"|^\W*(?P<ord_alone>{_ORDINAL_WORDS})\W*$"
    rf"|^\W*(?:#\s*)?(?P<alone>\d{{1,2}})\s*[.)]?\W*$",
    re.IGNORECASE,
)


def _number(text: str) -> float:
    """A Danish-written number: "3.000" is three thousand, "2,5" is two and a half."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", text):
        text = text.replace(".", "")
    return float(text.replace(",", "."))


def _int_if_whole(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _entity(
    name: str, value: Any, start: int, end: int, info: dict[str, Any] | None = None
) -> Entity:
    entity = Entity(entity=name, value=value, start=start, end=end, extractor=EXTRACTOR)
    if info:
        entity["additional_info"] = info
    return entity


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= other_start or start >= other_end for other_start, other_end in taken)


def extract_entities(text: str, now: datetime, timezone: ZoneInfo) -> list[Entity]:
    """Every entity in ``text``; relative times are resolved against ``now`` in ``timezone``."""
    entities: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def add(entity: Entity) -> None:
        entities.append(entity)
        taken.append((entity["start"], entity["end"]))

    for start, end in cpr_spans(text):
        add(_entity("cpr", CPR_MASK, start, end))
    for match in _HOURS.finditer(text):
        if not _free(taken, match.start(), match.end()):
            continue
        low = match.group("low") or match.group("low2")
        high = match.group("high") or match.group("high2")
        hours_info: dict[str, Any] | None = {"to": _int_if_whole(_number(high))} if high else None
        add(
            _entity(
                "hours_per_week",
                _int_if_whole(_number(low)),
                match.start(),
                match.end(),
                hours_info,
            )
        )
    for match in _AMOUNT.finditer(text):
        group = next(name for name in ("a", "b", "c") if match.group(name))
        if not _free(taken, match.start(), match.end()):
            continue
        value = _number(match.group(group))
        if re.search(
            r"(?:\dk|\d\s+k|tusind)\s*(?:kr|kroner|dkk|,-)", match.group(0), re.IGNORECASE
        ):
            value *= 1000
        # "tjene 4000": the verb is context, not part of the amount.
        start = match.start("c") if group == "c" else match.start()
        add(_entity("amount_dkk", _int_if_whole(value), start, match.end(), {"unit": "DKK"}))
    for mention in find_times(text, now, timezone):
        if not _free(taken, mention.start, mention.end):
            continue
        info: dict[str, Any] = {"grain": mention.grain}
        if mention.until is not None:
            info["to"] = mention.until.isoformat()
        add(_entity("time", mention.value.isoformat(), mention.start, mention.end, info))
    for match in _CHOICE.finditer(text):
        if not _free(taken, match.start(), match.end()):
            continue
        if match.group("n") or match.group("n_word"):
            word = (match.group("n") or match.group("n_word")).lower()
            value = int(word) if word.isdigit() else _CARDINALS[word]
            span = match.span("n") if word.isdigit() else match.span()
            add(_entity("number", value, match.start(), span[1]))
        elif match.group("ord") or match.group("ord_alone"):
            word = (match.group("ord") or match.group("ord_alone")).lower()
            add(_entity("number", _ORDINALS[word], match.start(), match.end()))
        elif match.group("alone"):
            add(_entity("number", int(match.group("alone")), *match.span("alone")))
    entities.sort(key=lambda entity: entity["start"])
    return entities
