"""User-facing text, loaded from YAML files per language (``flows/content/<lang>/*.yml``).

A jobcenter edits these files, not the code. Keys are dotted: ``core.greeting`` is the key
``greeting`` in ``core.yml``. Values are strings with ``{name}`` placeholders, lists of labels, or
mappings. A mapping with ``text`` and ``sms`` is an *answer*: a rule the bot states, with its
sources and the dates it was verified and must be reviewed by (docs/content.md). The Danish entry
carries that governance; the English entry carries only ``text`` and ``sms`` and inherits the rest.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from bot.kernel.errors import ContentError

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LANGUAGES = ("da", "en")
# What an answer's Danish entry states and its English entry inherits.
GOVERNANCE_FIELDS = ("sources", "verified", "verified_by", "review_by")
# A rule is checked again within a year unless a known law change comes sooner.
DEFAULT_REVIEW_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Source:
    """Where a citizen can check a rule: a law (with its §) or a public page."""

    title: str
    section: str | None
    url: str


@dataclass(frozen=True, slots=True)
class Answer:
    """A rule the bot states: the web/Telegram text, the SMS text and its governance."""

    key: str
    text: str
    sms: str
    sources: tuple[Source, ...]
    verified: date
    verified_by: str
    review_by: date

    def expired(self, today: date) -> bool:
        """Past its review-by date the answer vouches for nothing and is not shown."""
        return today > self.review_by


def is_answer(value: object) -> bool:
    """An entry is an answer iff it is a mapping with ``text`` and ``sms``."""
    return isinstance(value, Mapping) and "text" in value and "sms" in value


def months_later(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _as_date(key: str, name: str, value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ContentError(f"answer {key!r}: {name} must be a date (YYYY-MM-DD), not {value!r}")


def _source(key: str, value: object) -> Source:
    if not isinstance(value, Mapping) or not value.get("title") or not value.get("url"):
        raise ContentError(f"answer {key!r}: every source needs a title and a url")
    section = value.get("section")
    return Source(
        title=str(value["title"]).strip(),
        section=str(section).strip() if section else None,
        url=str(value["url"]).strip(),
    )


def parse_answer(key: str, danish: Mapping[str, Any], own: Mapping[str, Any]) -> Answer:
    """The answer at ``key``: wording from ``own`` (the language's entry), governance from
    ``danish``.

    Raises:
        ContentError: a field is missing or of the wrong kind.
    """
    sources = danish.get("sources")
    if not isinstance(sources, list) or not sources:
        raise ContentError(f"answer {key!r}: needs one or more sources")
    verified_by = danish.get("verified_by")
    if not isinstance(verified_by, str) or not verified_by.strip():
        raise ContentError(f"answer {key!r}: needs verified_by (a role)")
    verified = _as_date(key, "verified", danish.get("verified"))
    review_by = (
        _as_date(key, "review_by", danish["review_by"])
        if danish.get("review_by") is not None
        else months_later(verified, DEFAULT_REVIEW_MONTHS)
    )
    return Answer(
        key=key,
        text=str(own["text"]).strip(),
        sms=str(own["sms"]).strip(),
        sources=tuple(_source(key, source) for source in sources),
        verified=verified,
        verified_by=verified_by.strip(),
        review_by=review_by,
    )


def read_language(folder: Path) -> dict[str, Any]:
    """The entries of one language's folder, by dotted key."""
    if not folder.is_dir():
        raise ContentError(f"content folder missing: {folder}")
    flat: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ContentError(f"{path}: not valid YAML ({exc})") from exc
        if not isinstance(data, dict):
            raise ContentError(f"{path}: must be a mapping of keys")
        for key, value in data.items():
            flat[f"{path.stem}.{key}"] = value
    return flat


def placeholders_of(value: object) -> set[str]:
    """The ``{names}`` in a text, or in every text of a list or mapping."""
    if isinstance(value, str):
        return {name for _, name, _, _ in Formatter().parse(value) if name}
    if isinstance(value, Mapping):
        return set().union(*(placeholders_of(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(placeholders_of(item) for item in value))
    return set()


def _wording(own: object, danish: Mapping[str, Any]) -> Mapping[str, Any]:
    """A language's entry for an answer, or the Danish one where it has none that fits."""
    return own if isinstance(own, Mapping) and is_answer(own) else danish


class Content:
    """All content files of every language, checked at load time."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        self._entries = entries
        danish = entries.get("da", {})
        self._answers: dict[str, dict[str, Answer]] = {
            language: {
                key: parse_answer(key, danish[key], _wording(own.get(key), danish[key]))
                for key in sorted(danish)
                if is_answer(danish[key])
            }
            for language, own in entries.items()
        }

    @classmethod
    def load(cls, directory: Path = CONTENT_DIR) -> Content:
        entries = {language: read_language(directory / language) for language in LANGUAGES}
        missing = set(entries["da"]) - set(entries["en"])
        if missing:
            raise ContentError(f"English content lacks: {', '.join(sorted(missing))}")
        content = cls(entries)
        # A translation that drops or renames a placeholder fails at its first use otherwise.
        mismatched = [
            key
            for key in sorted(entries["da"])
            if content.placeholders("da", key) != content.placeholders("en", key)
        ]
        if mismatched:
            raise ContentError(
                f"English placeholders differ from Danish in: {', '.join(mismatched)}"
            )
        return content

    def keys(self, language: str) -> list[str]:
        return sorted(self._entries.get(language, {}))

    def has(self, language: str, key: str) -> bool:
        return key in self._entries.get(language, {})

    def raw(self, language: str, key: str) -> Any:
        """The entry as written (a string or a mapping); Danish when the language lacks it."""
        for lang in (language, "da"):
            entries = self._entries.get(lang, {})
            if key in entries:
                return entries[key]
        raise ContentError(f"no content for {key!r}")

    def text(self, language: str, key: str, **params: object) -> str:
        """The string at ``key`` with its ``{placeholders}`` filled in."""
        value = self.raw(language, key)
        if not isinstance(value, str):
            raise ContentError(f"content {key!r} is not a plain text")
        try:
            return value.format(**params).strip()
        except (KeyError, IndexError) as exc:
            raise ContentError(f"content {key!r} needs the parameter {exc}") from exc

    def placeholders(self, language: str, key: str) -> set[str]:
        return placeholders_of(self.raw(language, key))

    def answer(self, language: str, key: str) -> Answer:
        """The answer at ``key`` (``topics.holiday_job``) in ``language``, else in Danish."""
        for lang in (language, "da"):
            found = self._answers.get(lang, {}).get(key)
            if found is not None:
                return found
        raise ContentError(f"no answer for {key!r}")

    def answers(self, language: str) -> list[Answer]:
        """Every answer, by key."""
        found = self._answers.get(language) or self._answers.get("da", {})
        return list(found.values())
