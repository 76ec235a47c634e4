"""The content check (``borgerchat content check``): what a jobcenter can stand behind.

Pure over the content folder: the caller gives today's date and the SMS segment limit. It reads
the files itself rather than through :meth:`Content.load`, so that every problem is found and
named (file and key), not only the first one that stops a load. What it refuses, and why, is in
docs/content.md.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from bot.kernel.errors import ContentError
from bot.kernel.gsm7 import gsm7_length, sms_parts
from bot.kernel.lix import lix, words
from flows.content import (
    CONTENT_DIR,
    GOVERNANCE_FIELDS,
    LANGUAGES,
    Content,
    is_answer,
    parse_answer,
    placeholders_of,
    read_language,
)
from flows.reminder_text import MeetingDetails, meeting_reminder_text

MAX_LIX = 35
MIN_LIX_WORDS = 5
REVIEW_WINDOW_DAYS = 60
# Files shown only in the web chat's page, never sent by SMS.
WEB_ONLY_FILES = frozenset({"webchat", "privacy_web", "webchat_page", "accessibility"})
# A placeholder's value when a template's SMS length is measured: a name, a time, a place.
PLACEHOLDER_SAMPLE = "x" * 20
# Twilio's opt-out keywords: a citizen who sends one is unsubscribed at Twilio.
OPT_OUT_WORDS = r"(?:STOPALL|STOP|CANCEL|END|QUIT|UNSUBSCRIBE|REVOKE|OPTOUT)"
_SEND_VERB = r"(?:skriv|svar|send|sms|tast|write|reply|answer|respond|text|type|enter)"
_FILLER = (
    r"(?:\s+(?:gerne|bare|blot|kun|med|os|mig|tilbage|ordet|just|only|with|us|me|back|word|the))*"
)
_QUOTE = "\"'“”„«»‘’"
_ASKS_OPT_OUT_WORD = (
    re.compile(rf"\b{_SEND_VERB}\b{_FILLER}\s*[:{_QUOTE}]*\s*{OPT_OUT_WORDS}\b", re.IGNORECASE),
    re.compile(rf"[{_QUOTE}]\s*{OPT_OUT_WORDS}\s*[{_QUOTE}]", re.IGNORECASE),
    re.compile(rf"\b{OPT_OUT_WORDS}\b"),  # the word in capitals: a keyword to send
)
_AMOUNT = re.compile(
    r"\d[\d.,]*\s*(?:kr\b\.?|kroner\b|DKK\b)|\b(?:kr\.?|DKK)\s*\d[\d.,]*", re.IGNORECASE
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# A source titled like this is a law (or an order): it needs the § it rests on.
_LAW_TITLE = re.compile(r"\b(?:lov|\w*loven|\w*lovens|\w*bekendtgørelse\w*)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing the check refuses, in a file (``da/topics.yml``) at a key."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


@dataclass(frozen=True, slots=True)
class DueAnswer:
    key: str
    review_by: date


@dataclass
class ContentReport:
    answers: int = 0
    median_lix: float = 0.0  # of the Danish citizen texts of MIN_LIX_WORDS words or more
    median_answer_lix: float = 0.0  # of the Danish answers' text and sms
    due: list[DueAnswer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class _Text:
    """One citizen text: its key path (``topics.holiday_job.sms``) and what it is."""

    path: str
    text: str
    sms: bool  # may be sent by SMS
    in_answer: bool


def file_of(language: str, key: str) -> str:
    return f"{language}/{key.split('.', 1)[0]}.yml"


def check_content(
    directory: Path = CONTENT_DIR,
    *,
    today: date,
    max_segments: int,
    review_window_days: int = REVIEW_WINDOW_DAYS,
) -> ContentReport:
    """Every problem of the content in ``directory`` and the figures the command prints."""
    report = ContentReport()
    try:
        entries = {language: read_language(directory / language) for language in LANGUAGES}
    except ContentError as exc:
        report.problems.append(Problem(str(directory), "-", str(exc)))
        return report
    problems = report.problems
    problems += _key_problems(entries)
    answer_lix: list[float] = []
    danish_lix: list[float] = []
    for language in LANGUAGES:
        for key, value in entries[language].items():
            where = file_of(language, key)
            if is_answer(value):
                problems += _answer_problems(language, key, value, entries["da"].get(key), today)
            for item in _texts(key, value):
                problems += [Problem(where, item.path, m) for m in _text_problems(item)]
                problems += _sms_problems(where, item, max_segments)
                # A placeholder is read as one short word: "{when}" is a time, a name, a place.
                plain = _PLACEHOLDER.sub("X", item.text)
                if language != "da" or len(words(plain)) < MIN_LIX_WORDS:
                    continue
                score = lix(plain)
                (answer_lix if item.in_answer else danish_lix).append(score)
                if score > MAX_LIX:
                    problems.append(Problem(where, item.path, f"LIX {score:.1f} is over {MAX_LIX}"))
    problems += _reminder_problems(entries, max_segments)
    danish_answers = {k: v for k, v in entries["da"].items() if is_answer(v)}
    report.answers = len(danish_answers)
    all_lix = danish_lix + answer_lix
    report.median_lix = statistics.median(all_lix) if all_lix else 0.0
    report.median_answer_lix = statistics.median(answer_lix) if answer_lix else 0.0
    horizon = today + timedelta(days=review_window_days)
    for key, value in sorted(danish_answers.items()):
        try:
            answer = parse_answer(key, value, value)
        except ContentError:
            continue  # reported above
        if today <= answer.review_by <= horizon:
            report.due.append(DueAnswer(key, answer.review_by))
    report.due.sort(key=lambda due: (due.review_by, due.key))
    return report


def _key_problems(entries: Mapping[str, Mapping[str, Any]]) -> Iterator[Problem]:
    danish, english = entries["da"], entries["en"]
    for key in sorted(set(danish) - set(english)):
        yield Problem(file_of("en", key), key, "missing (Danish has it)")
    for key in sorted(set(english) - set(danish)):
        yield Problem(file_of("da", key), key, "missing (English has it)")
    for key in sorted(set(danish) & set(english)):
        if is_answer(danish[key]) != is_answer(english[key]):
            language = "en" if is_answer(danish[key]) else "da"
            yield Problem(file_of(language, key), key, "an answer needs both text and sms")
        da_names, en_names = placeholders_of(danish[key]), placeholders_of(english[key])
        if da_names != en_names:
            yield Problem(
                file_of("en", key),
                key,
                f"placeholders {sorted(en_names)} differ from Danish {sorted(da_names)}",
            )


def _answer_problems(
    language: str, key: str, value: Mapping[str, Any], danish: object, today: date
) -> Iterator[Problem]:
    where = file_of(language, key)
    if language != "da":
        if not is_answer(danish):
            return  # the missing Danish entry is reported with the keys
        assert isinstance(danish, Mapping)
        for name in GOVERNANCE_FIELDS:
            if name in value and value[name] != danish.get(name):
                yield Problem(where, key, f"{name} differs from Danish (English inherits it)")
        return
    try:
        answer = parse_answer(key, value, value)
    except ContentError as exc:
        yield Problem(where, key, str(exc))
        return
    for number, source in enumerate(answer.sources, start=1):
        url = urlparse(source.url)
        if url.scheme != "https" or not url.netloc:
            yield Problem(where, f"{key}.sources[{number}]", f"url {source.url!r} is not https")
        if _LAW_TITLE.search(source.title) and not source.section:
            yield Problem(where, f"{key}.sources[{number}]", f"law {source.title!r} without a §")
    if answer.expired(today):
        yield Problem(where, key, f"review_by {answer.review_by} is past")


def _texts(key: str, value: object) -> Iterator[_Text]:
    """The citizen texts of an entry: a string, the labels of a list, the texts of a mapping
    (an answer's text and sms; its governance is not a text the citizen is sent as such)."""
    web_only = key.split(".", 1)[0] in WEB_ONLY_FILES
    if isinstance(value, str):
        yield _Text(key, value.strip(), not web_only, False)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _texts(f"{key}[{number}]", item)
    elif is_answer(value):
        assert isinstance(value, Mapping)
        yield _Text(f"{key}.text", str(value["text"]).strip(), False, True)
        yield _Text(f"{key}.sms", str(value["sms"]).strip(), not web_only, True)
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from _texts(f"{key}.{name}", item)


def _text_problems(item: _Text) -> Iterator[str]:
    for pattern in _ASKS_OPT_OUT_WORD:
        found = pattern.search(item.text)
        if found:
            yield f"asks the citizen to send an opt-out word ({found.group(0)!r})"
            break
    amount = _AMOUNT.search(item.text)
    if amount and not (item.in_answer and _YEAR.search(item.text)):
        yield f"names an amount ({amount.group(0)!r}) without a year and a source"


def _sms_problems(where: str, item: _Text, max_segments: int) -> Iterator[Problem]:
    if not item.sms:
        return
    if gsm7_length(item.text) is None:
        odd = sorted({char for char in item.text if gsm7_length(char) is None})
        yield Problem(where, item.path, f"not GSM-7 ({''.join(odd)!r})")
        return
    parts = sms_parts(_PLACEHOLDER.sub(PLACEHOLDER_SAMPLE, item.text))
    if parts > max_segments:
        yield Problem(where, item.path, f"{parts} SMS segments, more than {max_segments}")


def _reminder_problems(
    entries: Mapping[str, Mapping[str, Any]], max_segments: int
) -> Iterator[Problem]:
    """A meeting reminder is put together from several texts: the shortest version for a
    meeting with long names must still fit."""
    meeting = MeetingDetails(
        starts_at=datetime(2026, 12, 16, 9, 30, tzinfo=UTC),
        consultant_name="Anne-Marie Christensen",
        place="Jobcenter København, Center Nord",
        address="Hillerødgade 1, 2200 København N",
        topic="jobonsker",
        citizen_name="Mohammed",
    )
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for language in LANGUAGES:
        reminder_entries = {
            key: value
            for key, value in entries[language].items()
            if key.startswith(("reminders.", "time."))
        }
        if "reminders.before" not in reminder_entries:
            continue  # a content folder without reminders
        content = Content({language: reminder_entries, "da": reminder_entries})
        for intro in ("before", "confirmation", "moved"):
            try:
                text = meeting_reminder_text(
                    content,
                    language,
                    meeting,
                    intro_key=intro,
                    now=now,
                    tz=ZoneInfo("Europe/Copenhagen"),
                    sms=True,
                    max_segments=max_segments,
                )
            except (ContentError, KeyError, IndexError, TypeError, AttributeError) as exc:
                yield Problem(file_of(language, "reminders"), f"reminders.{intro}", str(exc))
                continue
            if gsm7_length(text) is None or sms_parts(text) > max_segments:
                yield Problem(
                    file_of(language, "reminders"),
                    f"reminders.{intro}",
                    f"the reminder as sent does not fit {max_segments} GSM-7 SMS segments",
                )
