"""Answers to "when are you open?": the weekly hours of each place a citizen can come by, and
whether one is open now, in Copenhagen time. The core's staffing uses the same reading of hours.

Phone hours are left out (nobody can come by a phone line). With no hours configured the
citizen is told so and offered a meeting or a person, rather than a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from flows.questions import Menu
from flows.registry import Registry
from flows.turn import Turn
from flows.types import Topic, WeeklyOpening

PHONE_KIND = "phone"
# Three or more weekdays in a row with the same hours are said as a range: "mandag-fredag".
RANGE_FROM_DAYS = 3


def register(registry: Registry) -> None:
    registry.intent("opening_hours", lambda turn, _: answer(turn))


def answer(turn: Turn) -> None:
    turn.facts["topic"] = Topic.OPENING_HOURS
    places = [row for row in turn.context.opening_hours if row.kind != PHONE_KIND]
    if not places:
        turn.ask(
            Menu(
                text=turn.t("opening.none"),
                choices=turn.labels("opening.none_choices"),
                options=("book_meeting", "human_handoff"),
            )
        )
        return
    by_place: dict[tuple[str, str | None], list[WeeklyOpening]] = {}
    for row in places:
        by_place.setdefault((row.location, row.address), []).append(row)
    # Whether one is open now first: it answers "kan jeg komme forbi i dag?", and an SMS cut to
    # its part limit loses the end, not this.
    sms = turn.context.channel == "sms"
    blocks = [_now_line(turn, places), turn.t("opening.intro_sms" if sms else "opening.intro")]
    for (name, address), rows in by_place.items():
        lines = [turn.t("opening.place", place=name, address=address) if address else name]
        lines.extend(_hours_line(turn, *group) for group in _same_hours(rows))
        blocks.append("\n".join(lines))
    turn.say_text(("\n" if sms else "\n\n").join(blocks))


def _same_hours(rows: list[WeeklyOpening]) -> list[tuple[list[int], time, time]]:
    """The weekdays that share the same hours, in the order of the week."""
    by_hours: dict[tuple[time, time], list[int]] = {}
    for row in rows:
        by_hours.setdefault((row.opens, row.closes), []).append(row.weekday)
    groups = [(sorted(days), opens, closes) for (opens, closes), days in by_hours.items()]
    return sorted(groups, key=lambda group: (group[0][0], group[1]))


def _hours_line(turn: Turn, weekdays: list[int], opens: time, closes: time) -> str:
    return turn.t(
        "opening.hours",
        days=_days(turn, weekdays),
        opens=clock_of(turn, opens),
        closes=clock_of(turn, closes),
    )


def _days(turn: Turn, weekdays: list[int]) -> str:
    """Weekdays as said: mandag-fredag, tirsdag og torsdag, mandag, onsdag og fredag."""
    names = turn.labels("time.weekdays")
    runs: list[list[int]] = []
    for day in weekdays:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= RANGE_FROM_DAYS:
            parts.append(f"{names[run[0]]}-{names[run[-1]]}")
        else:
            parts.extend(names[day] for day in run)
    return _listed(turn, parts)


def _listed(turn: Turn, parts: list[str]) -> str:
    """Parts joined as said: a; a og b; a, b og c."""
    if len(parts) == 1:
        return parts[0]
    return turn.t("opening.and", first=", ".join(parts[:-1]), last=parts[-1])


def clock_of(turn: Turn, moment: time) -> str:
    """A time of day as said: 09:00."""
    return turn.t("opening.clock", hour=f"{moment.hour:02d}", minute=f"{moment.minute:02d}")


def open_now(hours: Iterable[WeeklyOpening], local: datetime) -> list[WeeklyOpening]:
    """The openings that cover ``local`` (an aware time in the hours' own timezone)."""
    return [
        row
        for row in hours
        if row.weekday == local.weekday() and row.opens <= local.time() < row.closes
    ]


def next_opening(
    hours: Iterable[WeeklyOpening], local: datetime
) -> tuple[datetime, WeeklyOpening] | None:
    """The first opening after ``local`` within a week, with when it starts; None without hours."""
    rows = list(hours)
    for days_ahead in range(8):
        day = local.date() + timedelta(days=days_ahead)
        starts = [
            (datetime.combine(day, row.opens, tzinfo=local.tzinfo), row)
            for row in rows
            if row.weekday == day.weekday()
        ]
        later = [start for start in starts if start[0] > local]
        if later:
            return min(later, key=lambda start: (start[0], start[1].location))
    return None


def _now_line(turn: Turn, places: list[WeeklyOpening]) -> str:
    """Which places are open now and until when; else when and where the next one opens."""
    local = turn.context.now.astimezone(turn.tz)
    current = open_now(places, local)
    if current:
        until = [
            turn.t("opening.open_until", place=row.location, closes=clock_of(turn, row.closes))
            for row in current
        ]
        return turn.t("opening.open_now", places=_listed(turn, until))
    upcoming = next_opening(places, local)
    assert upcoming is not None  # a weekly opening comes within eight days
    starts, row = upcoming
    return turn.t("opening.closed_now", opening=turn.moment(starts), place=row.location)
