"""The consultant inbox's own words, per language, from ``bot/inbox/content/<lang>/*.yml``.

The inbox shows one language to every consultant (``locale.inbox_language``). Texts the inbox
sends a citizen are not here: they are in ``flows/content/<lang>/inbox.yml``, in the citizen's
language. Keys are dotted as in flows' content: ``errors.note_empty`` is ``note_empty`` in
``errors.yml``.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from markupsafe import Markup

from bot.kernel.errors import ContentError
from flows.content import CONTENT_DIR, LANGUAGES, Content

INBOX_CONTENT_DIR = Path(__file__).resolve().parent / "content"
# Codes the database stores and the inbox shows as words: ``<group>.yml`` holds one word per
# code, and each group is a template filter (``{{ m.channel|channel }}``).
CODE_GROUPS = (
    "status",
    "handoff_reason",
    "summary_key",
    "channel",
    "audit_action",
    "audit_object",
    "topic",
    "location_kind",
    "language",
    "intent",
    "benefit",
    "pension_granted",
    "absence",
    "absence_activity",
    "kind_of_work",
)
WEEKDAY_KEYS = tuple(
    f"weekdays.{day}"
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)


@cache
def chatbot_weekday_numbers() -> dict[str, int]:
    """The weekday names the chatbot stores (a job profile's days, in the citizen's language:
    ``time.weekdays`` of every language in ``flows/content``), folded, by weekday number."""
    numbers: dict[str, int] = {}
    for language in LANGUAGES:
        path = CONTENT_DIR / language / "time.yml"
        names = yaml.safe_load(path.read_text(encoding="utf-8"))["weekdays"]
        numbers.update({str(name).casefold(): number for number, name in enumerate(names)})
    return numbers


@cache
def inbox_content() -> Content:
    """Loaded once per process; a missing English text or placeholder fails here."""
    return Content.load(INBOX_CONTENT_DIR)


class InboxText:
    """The inbox's texts in one language: plain strings for Python, markup for templates."""

    def __init__(self, language: str, content: Content | None = None) -> None:
        self.language = language
        self.content = content or inbox_content()

    def __call__(self, key: str, **params: object) -> str:
        return self.content.text(self.language, key, **params)

    def markup(self, key: str, **params: object) -> Markup:
        """The text HTML-escaped, its parameters escaped unless they are markup already."""
        value = self.content.raw(self.language, key)
        if not isinstance(value, str):
            raise ContentError(f"content {key!r} is not a plain text")
        try:
            return Markup.escape(value.strip()).format(**params)
        except (KeyError, IndexError) as exc:
            raise ContentError(f"content {key!r} needs the parameter {exc}") from exc

    def label(self, group: str, code: object) -> str:
        """A stored code as a word; an unknown code as it is (a new code never breaks a page),
        no code as nothing."""
        if code is None or code == "":
            return ""
        key = f"{group}.{code}"
        return self(key) if self.content.has("da", key) else str(code)

    def chatbot_weekday(self, name: object) -> str:
        """A weekday the chatbot stored in the citizen's language ("mandag", "Monday") in the
        inbox's language; anything else (the citizen's own words) as it is."""
        number = chatbot_weekday_numbers().get(str(name).strip().casefold())
        return str(name) if number is None else self(WEEKDAY_KEYS[number])

    def weekdays(self) -> list[str]:
        return [self(key) for key in WEEKDAY_KEYS]

    def weekday(self, moment: datetime, tz: ZoneInfo) -> str:
        return self(WEEKDAY_KEYS[moment.astimezone(tz).weekday()])
