"""Danish and English date/time expressions resolved against a reference time.

"i morgen kl 10", "på torsdag", "næste uge", "d. 4/12 kl. 13.30", "kvart over 9", "halv 3",
"om eftermiddagen", "tomorrow at 2pm", "next monday", "4 december": each mention becomes one
:class:`TimeMention` with its character span, resolved in the given time zone (Europe/Copenhagen)
to the start of what it names and its grain (minute, hour, day, week). A period ("om
eftermiddagen", "næste uge") also carries its end. A date next to a time of day ("på torsdag kl
14", "kl 14 på torsdag") is one mention.

Conventions, as a citizen booking a meeting means them: a weekday or a date without a year is
the next one after today; a time of day without a date is the next such time; "kl 1" to "kl 6"
without am/pm mean the afternoon (office hours); dates are day/month, as written in Denmark.
Letters æ/ø/å may be written ae/oe/aa or a/o.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _fuzzy(pattern: str) -> str:
    """Let æ, ø, å in ``pattern`` also match ae/a, oe/o, aa/a (no Danish keyboard)."""
    return pattern.replace("æ", "(?:æ|ae|a)").replace("ø", "(?:ø|oe|o)").replace("å", "(?:å|aa|a)")


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(_fuzzy(pattern), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TimeMention:
    start: int
    end: int
    value: datetime
    grain: str  # "minute", "hour", "day" or "week"
    until: datetime | None = None  # the end of a period, exclusive


@dataclass(frozen=True, slots=True)
class _Part:
    start: int
    end: int
    kind: str  # "date" or "clock" or "period"
    day: date | None = None
    weekday: int | None = None  # set when the day was named by its weekday
    day_grain: str = "day"
    day_until: date | None = None
    hour: int = 0
    minute: int = 0
    period_end_hour: int = 0
    explicit_pm: bool | None = None  # True pm, False am, None not said


_WEEKDAYS = {
    "mandag": 0, "tirsdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "lørdag": 5, "søndag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "man": 0, "tirs": 1, "tir": 1, "ons": 2, "tors": 3, "tor": 3, "fre": 4,
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4,
}  # fmt: skip
_MONTHS = {
    "januar": 1, "january": 1, "jan": 1, "februar": 2, "february": 2, "feb": 2, "marts": 3,
    "march": 3, "mar": 3, "april": 4, "apr": 4, "maj": 5, "may": 5, "juni": 6, "june": 6,
    "jun": 6, "juli": 7, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_NUMBER_WORDS = {
    "en": 1, "et": 1, "a": 1, "one": 1, "to": 2, "two": 2, "tre": 3, "three": 3, "fire": 4,
    "four": 4, "fem": 5, "five": 5, "seks": 6, "six": 6, "syv": 7, "seven": 7, "otte": 8,
    "eight": 8, "ni": 9, "nine": 9, "ti": 10, "ten": 10, "elleve": 11, "eleven": 11,
    "tolv": 12, "twelve": 12,
}  # fmt: skip
# Parts of the day: (first hour, end hour).
_PERIODS = {
    "morgen": (7, 10), "formiddag": (9, 12), "middag": (11, 13), "eftermiddag": (12, 17),
    "aften": (17, 22), "nat": (22, 24), "morning": (8, 12), "noon": (12, 13),
    "afternoon": (12, 17), "evening": (17, 22), "tonight": (18, 23), "night": (22, 24),
}  # fmt: skip

_WEEKDAY_NAMES = "|".join(sorted((_fuzzy(name) for name in _WEEKDAYS), key=len, reverse=True))
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_HOUR_WORDS = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

_RELATIVE_DAY = _compile(
    r"\b(?P<word>i\s?overmorgen|overmorgen|day after tomorrow|i\s?morgen(?!en\b|s\b)|imorgen"
    r"|tomorrow|tmrw|i\s?dag|idag|today|tonight|i\s?aften)\b"
)
_WEEKDAY = re.compile(
    rf"\b(?:(?P<prefix>{_fuzzy('på|næste|kommende|on|next|this|denne|nu')})\s+)?"
    rf"(?P<name>{_WEEKDAY_NAMES})(?:en|s)?\b\.?",
    re.IGNORECASE,
)
_WEEK = _compile(
    r"\b(?:i\s+)?(?P<which>næste|kommende|denne|next|this|nste)\s+(?P<unit>uge|week)(?:n)?\b"
)
_OFFSET = _compile(
    rf"\b(?:om|in)\s+(?P<count>\d{{1,2}}|{_HOUR_WORDS})\s+(?P<unit>dage?|days?|uger?|weeks?|timer?|hours?)\b"
)
_NUMERIC_DATE = re.compile(
    r"\b(?P<prefix>d\.?\s*|den\s+)?(?P<day>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<month>\d{1,2})"
    r"(?:\s*(?P=sep)\s*(?P<year>\d{4}|\d{2}))?(?![\d:])",
    re.IGNORECASE,
)
_NAMED_DATE = re.compile(
    rf"\b(?:d\.?\s*|den\s+|the\s+)?(?P<day>\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?"
    rf"(?P<month>{_MONTH_NAMES})\b\.?(?:\s+(?P<year>\d{{4}}))?"
    rf"|\b(?P<month2>{_MONTH_NAMES})\.?\s+(?:the\s+)?(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"(?:\b(?:kl\.?|klokken|klok|at|@|ved)\s*|(?<![\d.,/:]))"
    r"(?P<hour>\d{1,2})(?:\s*(?P<sep>[.:])\s*(?P<minute>\d{2}))?"
    r"\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?![\d/])",
    re.IGNORECASE,
)
_CLOCK_HALF = re.compile(
    rf"\b(?:(?:kl\.?|klokken)\s*)?"
    rf"(?P<kind>halv|kvart over|kvart i|half past|quarter past|quarter to)"
    rf"\s+(?P<hour>\d{{1,2}}|{_HOUR_WORDS})\b",
    re.IGNORECASE,
)
_PERIOD = _compile(
    r"\b(?:(?P<prep>om|i|in the|this|til|på|sidst på|ud på|early|late)\s+)?"
    r"(?P<name>formiddag|eftermiddag|aften|morgen|middag|nat|morning|afternoon|evening|noon|night)"
    r"(?P<suffix>en|s)?\b"
)
_WEEKDAY_BEFORE = re.compile(rf"\b(?:{_WEEKDAY_NAMES})(?:en|s)?\s+$", re.IGNORECASE)
# What may stand between a date and a time of day that belong together.
_JOINER = _compile(r"^[\s,]*(?:kl\.?|klokken|at|om|ved|på|,|-|den|d\.)?[\s,]*$")


def _hour_value(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token.lower()]


def _next_weekday(today: date, weekday: int) -> date:
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def _upcoming(today: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        if candidate < today:
            candidate = date(today.year + 1, month, day)
    except ValueError:
        return None
    return candidate


def _date_parts(text: str, today: date, now_local: datetime) -> list[_Part]:
    parts: list[_Part] = []
    for match in _RELATIVE_DAY.finditer(text):
        word = re.sub(r"\s", "", match.group("word").lower())
        if "overmorgen" in word or word == "dayaftertomorrow":
            offset = 2
        elif "morgen" in word or word in ("tomorrow", "tmrw"):
            offset = 1
        else:
            offset = 0
        parts.append(_Part(match.start(), match.end(), "date", day=today + timedelta(days=offset)))
        if word in ("tonight", "iaften"):
            parts.append(_Part(match.start(), match.end(), "period", hour=17, period_end_hour=22))
    for match in _WEEKDAY.finditer(text):
        name = match.group("name").lower()
        weekday = next(
            (number for key, number in _WEEKDAYS.items() if re.fullmatch(_fuzzy(key), name)), None
        )
        if weekday is None:
            continue
        if len(name) <= 4 and match.group("prefix") is None:
            continue  # "man", "fre", "mon" alone are words, not weekdays
        day = _next_weekday(today, weekday)
        parts.append(_Part(match.start(), match.end(), "date", day=day, weekday=weekday))
    for match in _WEEK.finditer(text):
        monday = today - timedelta(days=today.weekday())
        if match.group("which").lower() not in ("denne", "this"):
            monday += timedelta(days=7)
        start = max(monday, today)
        parts.append(
            _Part(
                match.start(), match.end(), "date", day=start, day_grain="week",
                day_until=monday + timedelta(days=7),
            )
        )  # fmt: skip
    for match in _OFFSET.finditer(text):
        count = _hour_value(match.group("count"))
        unit = match.group("unit").lower()
        if unit.startswith(("time", "hour")):
            moment = now_local + timedelta(hours=count)
            parts.append(
                _Part(match.start(), match.end(), "clock", day=moment.date(), hour=moment.hour,
                      minute=moment.minute, explicit_pm=moment.hour >= 12)
            )  # fmt: skip
            continue
        days = count * 7 if unit.startswith(("u", "w")) else count
        parts.append(_Part(match.start(), match.end(), "date", day=today + timedelta(days=days)))
    for match in _NAMED_DATE.finditer(text):
        day_text = match.group("day") or match.group("day2")
        month_text = (match.group("month") or match.group("month2")).lower()
        year = int(match.group("year")) if match.group("year") else None
        found = _upcoming(today, _MONTHS[month_text], int(day_text), year)
        if found is not None:
            parts.append(_Part(match.start(), match.end(), "date", day=found))
    for match in _NUMERIC_DATE.finditer(text):
        if match.group("sep") == "." and not (match.group("prefix") or match.group("year")):
            # "13.30" is a time; "4.12" only counts as a date after "d." / "den" or with a year.
            continue
        if match.group("sep") == "-" and not match.group("year"):
            continue  # "10-15" is a range
        year = int(match.group("year")) if match.group("year") else None
        found = _upcoming(today, int(match.group("month")), int(match.group("day")), year)
        if found is not None:
            parts.append(_Part(match.start(), match.end(), "date", day=found))
    return parts


def _clock_parts(text: str) -> list[_Part]:
    parts: list[_Part] = []
    for match in _CLOCK_HALF.finditer(text):
        hour = _hour_value(match.group("hour"))
        kind = match.group("kind").lower()
        if kind in ("halv",):
            hour, minute = hour - 1, 30
        elif kind in ("half past",):
            minute = 30
        elif kind in ("kvart over", "quarter past"):
            minute = 15
        else:
            hour, minute = hour - 1, 45
        if 0 <= hour <= 23:
            parts.append(_Part(match.start(), match.end(), "clock", hour=hour % 24, minute=minute))
    for match in _CLOCK.finditer(text):
        hour = int(match.group("hour"))
        minute = int(match.group("minute") or 0)
        ampm = (match.group("ampm") or "").lower().replace(".", "")
        lead = match.group(0)[: match.start("hour") - match.start()].strip().lower()
        if not lead and not ampm and not match.group("minute"):
            continue  # a bare number is not a time of day
        if not lead and not ampm and match.group("sep") == "." and not 7 <= hour <= 23:
            continue  # "4.12" without "kl" is a date, not a time
        if hour > 23 or minute > 59:
            continue
        explicit = None if not ampm else ampm.startswith("p")
        start = match.start() if lead else match.start("hour")
        parts.append(
            _Part(start, match.end(), "clock", hour=hour, minute=minute, explicit_pm=explicit)
        )
    for match in _PERIOD.finditer(text):
        name = match.group("name").lower()
        prep = (match.group("prep") or "").lower()
        suffix = (match.group("suffix") or "").lower()
        after_weekday = _WEEKDAY_BEFORE.search(text[: match.start()]) is not None
        if name == "morgen" and not (prep == "om" or suffix == "en" or after_weekday):
            continue  # "i morgen" is tomorrow, "i morges" is past; "torsdag morgen" is a period
        if suffix == "s":
            continue
        key = next(key for key in _PERIODS if re.fullmatch(_fuzzy(key), name))
        first, end = _PERIODS[key]
        parts.append(_Part(match.start(), match.end(), "period", hour=first, period_end_hour=end))
    return parts


def _merge_days(first: _Part, second: _Part, text: str) -> _Part:
    """One day named twice: "fredag d. 27/11" (the written date wins), "tirsdag i næste uge"
    (that weekday in that week)."""
    week = next((p for p in (first, second) if p.day_grain == "week"), None)
    named = next((p for p in (first, second) if p.weekday is not None), None)
    if week is not None and named is not None and week.day_until is not None:
        assert named.weekday is not None
        day = week.day_until - timedelta(days=7 - named.weekday)
        return _Part(first.start, second.end, "date", day=day)
    written = second if any(c.isdigit() for c in text[second.start : second.end]) else first
    return _Part(
        first.start, second.end, "date", day=written.day, day_grain=written.day_grain,
        day_until=written.day_until,
    )  # fmt: skip


def _drop_overlaps(parts: list[_Part]) -> list[_Part]:
    """Keep the longest of overlapping parts of the same kind family (date vs time of day)."""
    kept: list[_Part] = []
    for part in sorted(parts, key=lambda p: (-(p.end - p.start), p.start)):
        family = "date" if part.kind == "date" else "time"
        clash = any(
            part.start < other.end and other.start < part.end
            and (family == ("date" if other.kind == "date" else "time") or part.kind == "clock")
            for other in kept
        )  # fmt: skip
        if not clash:
            kept.append(part)
    return sorted(kept, key=lambda p: p.start)


def _resolve(
    date_part: _Part | None, time_part: _Part | None, now_local: datetime, tz: ZoneInfo
) -> TimeMention:
    parts = [p for p in (date_part, time_part) if p is not None]
    start, end = min(p.start for p in parts), max(p.end for p in parts)
    if time_part is None:
        assert date_part is not None
        assert date_part.day is not None
        value = datetime.combine(date_part.day, time(), tz)
        until = (
            datetime.combine(date_part.day_until, time(), tz)
            if date_part.day_until is not None
            else None
        )
        return TimeMention(start, end, value, date_part.day_grain, until)
    hour = time_part.hour
    if time_part.kind == "clock":
        if time_part.explicit_pm is True and hour < 12:
            hour += 12
        elif time_part.explicit_pm is False and hour == 12:
            hour = 0
        elif time_part.explicit_pm is None and 1 <= hour <= 6:
            hour += 12  # office hours: "kl 2" is 14:00
    day = date_part.day if date_part is not None else time_part.day
    explicit_day = day is not None
    if day is None:
        day = now_local.date()
    value = datetime.combine(day, time(hour % 24, time_part.minute), tz)
    until = None
    grain = "minute" if time_part.minute else "hour"
    if time_part.kind == "period":
        until = datetime.combine(day, time(), tz) + timedelta(hours=time_part.period_end_hour)
        if not explicit_day and until <= now_local:
            value, until = value + timedelta(days=1), until + timedelta(days=1)
        grain = "hour"
    elif not explicit_day and value <= now_local:
        value += timedelta(days=1)
    return TimeMention(start, end, value, grain, until)


def find_times(text: str, now: datetime, tz: ZoneInfo) -> list[TimeMention]:
    """Every date/time mention in ``text``, resolved against ``now`` in ``tz``."""
    now_local = (now if now.tzinfo is not None else now.replace(tzinfo=tz)).astimezone(tz)
    today = now_local.date()
    parts = _drop_overlaps(_date_parts(text, today, now_local) + _clock_parts(text))
    mentions: list[TimeMention] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        joined = following is not None and _JOINER.match(text[part.end : following.start])
        if following is not None and joined and part.kind == following.kind == "date":
            parts[index + 1] = _merge_days(part, following, text)
            index += 1
            continue
        if following is not None and joined and (part.kind == "date") != (following.kind == "date"):
            date_part, time_part = (part, following) if part.kind == "date" else (following, part)
            mentions.append(_resolve(date_part, time_part, now_local, tz))
            index += 2
            continue
        if part.kind == "date":
            mentions.append(_resolve(part, None, now_local, tz))
        else:
            mentions.append(_resolve(None, part, now_local, tz))
        index += 1
    return mentions
