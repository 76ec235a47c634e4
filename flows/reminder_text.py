"""The wording of reminders: personal, local time, and one SMS long where the channel is SMS.

Pure functions over :class:`~flows.content.Content` (``reminders.yml``): no database, no clock.
An SMS reminder is the most complete text that fits one SMS (160 GSM-7 characters); if even the
shortest version does not, the most complete one that fits ``max_segments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.kernel.gsm7 import sms_parts
from flows.content import Content


@dataclass(frozen=True, slots=True)
class MeetingDetails:
    """What a meeting reminder tells: who, when, where, what to bring."""

    starts_at: datetime
    consultant_name: str
    place: str | None = None
    address: str | None = None
    directions: str | None = None
    by_phone: bool = False
    topic: str | None = None
    citizen_name: str | None = None


def meeting_when(
    content: Content, language: str, starts_at: datetime, now: datetime, tz: ZoneInfo
) -> str:
    """The meeting time as a person reads it: "i dag kl. 9.00", "tirsdag 1. december kl. 9.00"."""
    local = starts_at.astimezone(tz)
    today = now.astimezone(tz).date()
    time = content.text(language, "reminders.time", hour=local.hour, minute=f"{local.minute:02d}")
    days = (local.date() - today).days
    if days == 0:
        return content.text(language, "reminders.when_today", time=time)
    if days == 1:
        return content.text(language, "reminders.when_tomorrow", time=time)
    weekdays = content.raw(language, "reminders.weekdays")
    months = content.raw(language, "reminders.months")
    return content.text(
        language,
        "reminders.when_date",
        weekday=weekdays[local.weekday()],
        day=local.day,
        month=months[local.month - 1],
        time=time,
    )


def meeting_reminder_text(
    content: Content,
    language: str,
    meeting: MeetingDetails,
    *,
    intro_key: str,
    now: datetime,
    tz: ZoneInfo,
    sms: bool,
    max_segments: int = 2,
) -> str:
    """A meeting reminder (``intro_key``: "before", "confirmation" or "moved")."""
    when = meeting_when(content, language, meeting.starts_at, now, tz)

    def text(key: str, **params: object) -> str:
        return content.text(language, f"reminders.{key}", **params)

    hello = text("hello", name=meeting.citizen_name) if meeting.citizen_name else None
    if meeting.by_phone:
        where_full = where_short = text("by_phone", consultant=meeting.consultant_name)
    else:
        place = meeting.place or ""
        where_short = text("place", place=place)
        where_full = (
            text("place_with_address", place=place, address=meeting.address)
            if meeting.address
            else where_short
        )
    intro_full = text(intro_key, consultant=meeting.consultant_name, when=when, where=where_full)
    intro_short = text(intro_key, consultant=meeting.consultant_name, when=when, where=where_short)
    directions = (meeting.directions or "").strip() or None
    if directions and directions[-1] not in ".!?":
        directions += "."
    bring_by_topic = content.raw(language, "reminders.bring")
    bring: str | None = bring_by_topic.get(meeting.topic) if meeting.topic else None
    prompt = text("answer_prompt")

    # Most complete first; each next version drops what matters least for turning up.
    versions: list[list[str | None]] = [
        [hello, intro_full, directions, bring, prompt],
        [intro_full, directions, bring, prompt],
        [intro_full, directions, prompt],
        [intro_full, prompt],
        [intro_short, prompt],
    ]
    texts = [" ".join(part for part in version if part) for version in versions]
    if not sms:
        return texts[0]
    for limit in (1, max_segments):
        for candidate in texts:
            if sms_parts(candidate) <= limit:
                return candidate
    return texts[-1]


def check_in_text(content: Content, language: str, consultant_name: str | None) -> str:
    if consultant_name:
        return content.text(language, "reminders.check_in", consultant=consultant_name)
    return content.text(language, "reminders.check_in_no_consultant")
