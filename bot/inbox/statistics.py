"""No-show and cancellation rates per ISO week and per reminder policy.

The rate's denominator is every booking whose meeting falls in the period, whatever its
status (as the 2014 Copenhagen figures count them: no-shows and cancellations out of all
meetings); meetings still open (booked/confirmed) are counted so a week in progress shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.auth import Viewer
from bot.models import Booking, BookingStatus, Location

NO_POLICY = "ingen"


@dataclass(frozen=True, slots=True)
class Rates:
    label: str
    total: int
    no_show: int
    cancelled: int
    attended: int

    @property
    def no_show_rate(self) -> float:
        return self.no_show / self.total if self.total else 0.0

    @property
    def cancellation_rate(self) -> float:
        return self.cancelled / self.total if self.total else 0.0


def _rates(label: str, statuses: list[str]) -> Rates:
    return Rates(
        label=label,
        total=len(statuses),
        no_show=statuses.count(BookingStatus.NO_SHOW.value),
        cancelled=statuses.count(BookingStatus.CANCELLED.value),
        attended=statuses.count(BookingStatus.ATTENDED.value),
    )


def iso_week_label(moment: datetime, tz: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-U{week:02d}"


@dataclass(frozen=True, slots=True)
class Statistics:
    by_week: list[Rates]
    by_policy: list[Rates]


def booking_statistics(
    db: Session, viewer: Viewer, now: datetime, tz: ZoneInfo, weeks: int = 8
) -> Statistics:
    """The last ``weeks`` ISO weeks up to and including this one, for the viewer's team."""
    local_now = now.astimezone(tz)
    this_monday = (local_now - timedelta(days=local_now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    since = this_monday - timedelta(weeks=weeks - 1)
    until = this_monday + timedelta(weeks=1)
    rows = db.execute(
        select(Booking.starts_at, Booking.status, Booking.reminder_policy)
        .join(Location, Location.id == Booking.location_id)
        .where(
            Location.team_id == viewer.team_id,
            Booking.starts_at >= since,
            Booking.starts_at < until,
        )
    ).all()
    per_week: dict[str, list[str]] = {
        iso_week_label(since + timedelta(weeks=n), tz): [] for n in range(weeks)
    }
    per_policy: dict[str, list[str]] = defaultdict(list)
    for starts_at, status, policy in rows:
        per_week.setdefault(iso_week_label(starts_at, tz), []).append(status)
        per_policy[policy or NO_POLICY].append(status)
    return Statistics(
        by_week=[_rates(label, per_week[label]) for label in sorted(per_week)],
        by_policy=[_rates(label, per_policy[label]) for label in sorted(per_policy)],
    )
