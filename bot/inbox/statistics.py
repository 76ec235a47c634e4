"""No-show and cancellation rates, and confirmations by reminder (JA), per ISO week and per policy.

The rate's denominator is every booking whose meeting falls in the period, whatever its
status (as the 2014 Copenhagen figures count them: no-shows and cancellations out of all
meetings); meetings still open (booked/confirmed) are counted so a week in progress shows.
A booking counts as confirmed when the citizen answered JA to one of its reminders
(``Booking.confirmed_at``, set by the reminder answers in ``bot.domain.reminders``), whatever
happened after.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.auth import Viewer
from bot.inbox.text import InboxText
from bot.store.models import Booking, BookingStatus, Location


@dataclass(frozen=True, slots=True)
class Rates:
    label: str
    total: int
    no_show: int
    cancelled: int
    attended: int
    confirmed: int

    @property
    def no_show_rate(self) -> float:
        return self.no_show / self.total if self.total else 0.0

    @property
    def cancellation_rate(self) -> float:
        return self.cancelled / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: str
    confirmed: bool


def _rates(label: str, outcomes: list[_Outcome]) -> Rates:
    statuses = [outcome.status for outcome in outcomes]
    return Rates(
        label=label,
        total=len(outcomes),
        no_show=statuses.count(BookingStatus.NO_SHOW.value),
        cancelled=statuses.count(BookingStatus.CANCELLED.value),
        attended=statuses.count(BookingStatus.ATTENDED.value),
        confirmed=sum(outcome.confirmed for outcome in outcomes),
    )


def iso_week(moment: datetime, tz: ZoneInfo) -> tuple[int, int]:
    """(ISO year, ISO week) of the local date: sorts correctly across New Year."""
    year, week, _ = moment.astimezone(tz).isocalendar()
    return year, week


@dataclass(frozen=True, slots=True)
class Statistics:
    by_week: list[Rates]
    by_policy: list[Rates]


def booking_statistics(
    db: Session, viewer: Viewer, now: datetime, tz: ZoneInfo, text: InboxText, weeks: int = 8
) -> Statistics:
    """The last ``weeks`` ISO weeks up to and including this one, for the viewer's team.

    Bookings without a reminder policy come last, labelled as having none.
    """
    local_now = now.astimezone(tz)
    this_monday = (local_now - timedelta(days=local_now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    since = this_monday - timedelta(weeks=weeks - 1)
    until = this_monday + timedelta(weeks=1)
    rows = db.execute(
        select(Booking.starts_at, Booking.status, Booking.reminder_policy, Booking.confirmed_at)
        .join(Location, Location.id == Booking.location_id)
        .where(
            Location.team_id == viewer.team_id,
            Booking.starts_at >= since,
            Booking.starts_at < until,
        )
    ).all()
    per_week: dict[tuple[int, int], list[_Outcome]] = {
        iso_week(since + timedelta(weeks=n), tz): [] for n in range(weeks)
    }
    per_policy: dict[str | None, list[_Outcome]] = defaultdict(list)
    for starts_at, status, policy, confirmed_at in rows:
        outcome = _Outcome(status, confirmed_at is not None)
        per_week.setdefault(iso_week(starts_at, tz), []).append(outcome)
        per_policy[policy or None].append(outcome)
    return Statistics(
        by_week=[
            _rates(text("statistics.week_label", year=year, week=week), per_week[(year, week)])
            for year, week in sorted(per_week)
        ],
        by_policy=[
            _rates(policy or text("common.none"), per_policy[policy])
            for policy in sorted(per_policy, key=lambda name: (name is None, name or ""))
        ],
    )
