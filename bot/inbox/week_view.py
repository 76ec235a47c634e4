"""*Tider* as one week at a time: the week's slots grouped per local day, with a link to the
weeks before and after (a page of every slot for 14 days was 5,000 px long)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.auth import Viewer
from bot.store.models import Consultant, Slot

# How far the week navigation goes either way: a year of weeks.
MAX_WEEK_OFFSET = 52


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    slots: list[Slot]
    is_today: bool


@dataclass(frozen=True, slots=True)
class Week:
    offset: int
    number: int  # the ISO week number
    first_day: date
    last_day: date
    days: list[Day]

    @property
    def slot_count(self) -> int:
        return sum(len(day.slots) for day in self.days)

    @property
    def previous(self) -> int | None:
        return self.offset - 1 if self.offset > -MAX_WEEK_OFFSET else None

    @property
    def next(self) -> int | None:
        return self.offset + 1 if self.offset < MAX_WEEK_OFFSET else None


def week_offset(value: str | None) -> int:
    """The ``?week=`` parameter: weeks from this one; anything else is this week."""
    try:
        offset = int(value or "0")
    except ValueError:
        return 0
    return max(-MAX_WEEK_OFFSET, min(MAX_WEEK_OFFSET, offset))


def team_week(db: Session, viewer: Viewer, now: datetime, tz: ZoneInfo, offset: int) -> Week:
    """The viewer's team's slots in the week ``offset`` weeks from the one holding ``now``."""
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
    starts = datetime.combine(monday, time(0), tz)
    ends = datetime.combine(monday + timedelta(days=7), time(0), tz)
    slots = db.scalars(
        select(Slot)
        .join(Consultant, Consultant.id == Slot.consultant_id)
        .where(
            Consultant.team_id == viewer.team_id,
            Slot.starts_at >= starts,
            Slot.starts_at < ends,
        )
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    by_day: dict[date, list[Slot]] = {monday + timedelta(days=n): [] for n in range(7)}
    for slot in slots:
        by_day[slot.starts_at.astimezone(tz).date()].append(slot)
    return Week(
        offset=offset,
        number=monday.isocalendar().week,
        first_day=monday,
        last_day=monday + timedelta(days=6),
        days=[Day(day, day_slots, day == today) for day, day_slots in by_day.items()],
    )
