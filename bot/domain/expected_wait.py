"""The wait a citizen handed to a person is told, estimated from the queue's latest real waits.

Each time a consultant takes a conversation from the queue, its wait is recorded
(:class:`~bot.store.models.QueueWait`). The estimate for the next citizen:

- one *round* of the queue takes the median of the latest ordinary waits. Crisis conversations
  jump the queue, and a wait that began while every place was closed measures the night, so
  neither counts;
- the consultants who took a conversation in the last hour work the queue side by side: the
  citizen at position ``p`` (``p - 1`` conversations ahead) waits ``ceil(p / consultants)``
  rounds. Not ``p / consultants`` rounds: the median was measured with those consultants on
  duty already, and dividing it again would promise the first in line with three consultants a
  third of what anyone really waited;
- rounded up to whole five minutes (a plain number to tell a citizen), never under five.

With fewer than :data:`MIN_WAITS` recorded waits the old rule of thumb holds: ten minutes per
conversation in the queue, this one included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from bot.store.db import Database
from bot.store.models import QueueWait
from flows.handoff import CRISIS_PRIORITY
from flows.opening_hours import open_now
from flows.types import WeeklyOpening

# The latest waits the median is taken over, and how old they may be: last month's staffing
# says little about today's.
RECENT_WAITS = 20
HISTORY = timedelta(days=14)
# Fewer waits than this are too few to go by; the rule of thumb is used instead.
MIN_WAITS = 3
# A consultant who took a conversation this recently is taken to be working the queue.
ACTIVE_WINDOW = timedelta(hours=1)
# The rule of thumb without history: minutes per conversation in the queue.
FALLBACK_MINUTES_PER_CONVERSATION = 10
MINIMUM_MINUTES = 5
ROUNDED_TO_MINUTES = 5

# Built once with bound parameters; the index on taken_at makes it a short backwards scan.
_RECENT_WAITS = (
    select(QueueWait.waiting_since, QueueWait.taken_at, QueueWait.consultant_id)
    .where(QueueWait.taken_at >= bindparam("since"), QueueWait.priority < CRISIS_PRIORITY)
    .order_by(QueueWait.taken_at.desc())
    .limit(RECENT_WAITS)
)


@dataclass(frozen=True, slots=True)
class RecentWait:
    waiting_since: datetime
    taken_at: datetime
    consultant_id: int | None

    @property
    def seconds(self) -> float:
        return max(0.0, (self.taken_at - self.waiting_since).total_seconds())


def recent_waits(db: Database, now: datetime) -> list[RecentWait]:
    """The latest ordinary (not crisis) waits in the queue, newest first: one query."""
    rows = db.execute(_RECENT_WAITS, {"since": now - HISTORY}).all()
    return [RecentWait(*row) for row in rows]


def expected_wait_minutes(
    waits: Sequence[RecentWait],
    *,
    waiting_ahead: int,
    now: datetime,
    hours: Iterable[WeeklyOpening],
    tz: ZoneInfo,
) -> int:
    """Minutes to tell a citizen who joins the queue behind ``waiting_ahead`` conversations."""
    position = waiting_ahead + 1
    weekly = tuple(hours)
    while_open = [wait for wait in waits if _began_while_open(wait, weekly, tz)]
    if len(while_open) < MIN_WAITS:
        return plain_minutes(FALLBACK_MINUTES_PER_CONVERSATION * 60 * position)
    round_seconds = median(wait.seconds for wait in while_open)
    consultants = active_consultants(waits, now)
    return plain_minutes(round_seconds * ceil(position / consultants))


def active_consultants(waits: Iterable[RecentWait], now: datetime) -> int:
    """Consultants who took a conversation within :data:`ACTIVE_WINDOW`; at least one."""
    recent = {
        wait.consultant_id
        for wait in waits
        if wait.consultant_id is not None and wait.taken_at >= now - ACTIVE_WINDOW
    }
    return max(1, len(recent))


def plain_minutes(seconds: float) -> int:
    """Whole five minutes, rounded up (a citizen is never promised less), at least five."""
    # A wait of exactly 10 minutes stays 10, whatever float arithmetic made of it.
    minutes = round(seconds / 60, 6)
    rounded = ceil(minutes / ROUNDED_TO_MINUTES) * ROUNDED_TO_MINUTES
    return max(MINIMUM_MINUTES, rounded)


def _began_while_open(wait: RecentWait, hours: tuple[WeeklyOpening, ...], tz: ZoneInfo) -> bool:
    # No opening hours configured: someone is taken to be there, as in the staffing itself.
    return not hours or bool(open_now(hours, wait.waiting_since.astimezone(tz)))
