"""Stored mappings (the chatbot's handoff summary, an audit entry's detail, a job profile's
details) as lines of words a consultant reads, never as a Python or JSON repr.

A :class:`Reading` says, by the path of a key (``details.absence.reason``), which content group
holds the words for the keys of a mapping and for the codes of a value. A key or code without
words is shown as it is, and any JSON value (nested as deep as it likes) renders: a stored value
from next year's chatbot never breaks a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.inbox.text import InboxText

# Deeper than this a value is shown as its text on one line.
MAX_DEPTH = 3
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_PATTERN = "%d.%m.%Y"

# How one stored value (a code, a list item) becomes words.
Words = Callable[[InboxText, object], str]


def code_words(group: str) -> Words:
    """The value is a code whose words are in the content group ``group``."""

    def words(text: InboxText, code: object) -> str:
        return text.label(group, code) if _is_scalar(code) else flat_text(code)

    return words


def moved_booking_words(text: InboxText, pair: object) -> str:
    """A booking an exception moved, stored as ``[old id, new id]``."""
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return text("audit.moved_booking", old=pair[0], new=pair[1])
    return flat_text(pair)


@dataclass(frozen=True, slots=True)
class DetailLine:
    """One line: a key in words (empty for an item of a list) and its value in words (empty
    when the lines below it, one ``depth`` deeper, hold the value)."""

    label: str
    value: str
    depth: int


@dataclass(frozen=True, slots=True)
class Reading:
    """How one kind of stored mapping reads. Paths join keys with dots; ``""`` is the top."""

    # The path of a mapping -> the content group with words for its keys.
    keys: Mapping[str, str]
    # The path of a value -> how its codes become words (for a list: each item's).
    values: Mapping[str, Words] = field(default_factory=dict)


HANDOFF_SUMMARY = Reading(
    keys={
        "": "summary_key",
        "details": "summary_detail",
        "details.absence": "absence_detail",
        "details.job_profile": "job_profile_field",
        "details.writes_for": "writes_for_detail",
    },
    values={
        "reason": code_words("handoff_reason"),
        "intent": code_words("intent"),
        "language": code_words("language"),
        "details.topic": code_words("topic"),
        "details.benefit": code_words("benefit"),
        "details.pension_granted": code_words("pension_granted"),
        "details.absence.reason": code_words("absence"),
        "details.writes_for.writer": code_words("writer_role"),
        "details.writes_for.about": code_words("intent"),
        "details.concerns": code_words("intent"),
        "details.job_profile.kinds": code_words("kind_of_work"),
        # Weekday names in the citizen's language, shown in the inbox's.
        "details.job_profile.days": InboxText.chatbot_weekday,
    },
)
AUDIT_DETAIL = Reading(
    keys={"": "audit_detail"},
    values={"status": code_words("status"), "moved": moved_booking_words},
)
JOB_PROFILE_DETAILS = Reading(keys={"": "job_profile_field"})


def detail_lines(stored: object, reading: Reading, text: InboxText) -> list[DetailLine]:
    """The lines of a stored mapping, in its own order; nothing for nothing stored."""
    if stored is None or stored == "" or stored == {}:
        return []
    lines: list[DetailLine] = []
    if isinstance(stored, Mapping):
        _mapping(stored, "", 0, reading, text, lines)
    else:
        _value("", stored, "", 0, reading, text, lines)
    return lines


def _mapping(
    mapping: Mapping[object, object],
    path: str,
    depth: int,
    reading: Reading,
    text: InboxText,
    lines: list[DetailLine],
) -> None:
    group = reading.keys.get(path)
    for key, value in mapping.items():
        key_path = f"{path}.{key}" if path else str(key)
        label = text.label(group, key) if group else str(key)
        _value(label, value, key_path, depth, reading, text, lines)


def _value(
    label: str,
    value: object,
    path: str,
    depth: int,
    reading: Reading,
    text: InboxText,
    lines: list[DetailLine],
) -> None:
    words = reading.values.get(path)
    if not isinstance(value, Mapping | list | tuple):
        lines.append(DetailLine(label, _scalar(value, words, text), depth))
    elif depth >= MAX_DEPTH:
        lines.append(DetailLine(label, flat_text(value), depth))
    elif not value:
        lines.append(DetailLine(label, text("common.none"), depth))
    elif isinstance(value, Mapping):
        lines.append(DetailLine(label, "", depth))
        _mapping(value, path, depth + 1, reading, text, lines)
    elif words is not None or all(_is_number(item) for item in value):
        # Codes and numbers read well on one line: "kontor, lager", "12, 14".
        lines.append(DetailLine(label, ", ".join(_scalar(v, words, text) for v in value), depth))
    else:
        # Texts (the last messages) and nested values: a line each, below the label (a list at
        # the very top needs no line above its items).
        below = depth + 1 if label or depth else depth
        if below != depth:
            lines.append(DetailLine(label, "", depth))
        for item in value:
            if isinstance(item, Mapping) and below < MAX_DEPTH:
                _mapping(item, path, below, reading, text, lines)
            else:
                _value("", item, path, below, reading, text, lines)


def flat_text(value: object) -> str:
    """Any JSON value on one line, without the brackets and quotes of a repr."""
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {flat_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(flat_text(item) for item in value)
    return "" if value is None else str(value)


def _is_scalar(value: object) -> bool:
    return not isinstance(value, Mapping | list | tuple)


def number_text(value: float, language: str) -> str:
    """A stored number as people write it: 10 hours, not 10.0; 7,5 in Danish."""
    written = f"{value:g}"
    return written.replace(".", ",") if language == "da" else written


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: object, words: Words | None, text: InboxText) -> str:
    if value is None or value == "":
        return text("common.not_stated")
    if isinstance(value, bool):
        return text("common.is_true" if value else "common.is_false")
    if words is not None:
        return words(text, value)
    if isinstance(value, float):
        return number_text(value, text.language)
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value).strftime(DATE_PATTERN)
        except ValueError:
            return value
    return str(value)
