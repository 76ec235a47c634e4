"""Loading what the flows need to know into a :class:`FlowContext`, before each step.

The flows are pure; this is where the database is read for them: the citizen's next meeting,
free slots (not booked, not inside a slot exception), callback slots, the weekly opening hours
of each place, whether a person can answer now (by those hours) and how long the queue is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    Citizen,
    Consultant,
    Conversation,
    ConversationStatus,
    Direction,
    Location,
    LocationKind,
    Message,
    OpeningHours,
    Slot,
    SlotException,
)
from flows.opening_hours import next_opening, open_now
from flows.types import FlowContext, MeetingInfo, SlotOffer, Staffing, WeeklyOpening

T = TypeVar("T")

# A meeting can be booked from this long ahead, and this far into the future.
BOOKING_LEAD = timedelta(hours=1)
BOOKING_HORIZON = timedelta(days=28)
MAX_OFFERED_SLOTS = 40
# A rough figure for the expected wait: minutes a consultant spends per waiting conversation.
MINUTES_PER_WAITING_CONVERSATION = 10
RECENT_MESSAGES = 5


class _SharedContext:
    """Team-wide context (free and callback times, opening hours), kept for a moment.

    Every message would otherwise run the same slot queries, the costliest part of a step. An
    entry holds for ``ttl_seconds`` and for the minute of ``now`` it was loaded for (a clock
    that jumps, as in tests, loads afresh); any booking change empties it at once (the loader
    listens to the booking listeners). A slot taken meanwhile by another process is still caught
    by the database when booked, and the flow offers fresh times.
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, datetime], tuple[float, object]] = {}

    def get(self, name: str, now: datetime, load: Callable[[], T]) -> T:
        key = (name, now.replace(second=0, microsecond=0))
        moment = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > moment:
            return entry[1]  # type: ignore[return-value]
        value = load()
        with self._lock:
            if len(self._entries) > 64:
                self._entries.clear()
            self._entries[key] = (moment + self.ttl_seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class FlowContextLoader:
    def __init__(self, settings: Settings, *, shared_ttl_seconds: float = 2.0) -> None:
        self.tz = ZoneInfo(settings.locale.timezone)
        self.timezone = settings.locale.timezone
        self.retention_days = settings.privacy.retention_days
        self.shared = _SharedContext(shared_ttl_seconds)

    def booking_changed(self, _session: Session, _booking: Booking, _now: datetime) -> None:
        """A booking listener: free times changed, so the shared context is reloaded."""
        self.shared.clear()

    def __call__(
        self,
        session: Session,
        citizen: Citizen,
        conversation: Conversation,
        channel: str,
        now: datetime,
    ) -> FlowContext:
        # Plain values, not ORM rows: the cache outlives the session that loaded them.
        hours = self.shared.get("hours", now, lambda: opening_hours(session))
        return FlowContext(
            now=now,
            language=conversation.language,
            channel=channel,
            citizen_id=citizen.id,
            timezone=self.timezone,
            next_meeting=next_meeting(session, citizen.id, now),
            free_slots=self.shared.get("free", now, lambda: free_slots(session, now, phone=False)),
            callback_slots=self.shared.get(
                "callback", now, lambda: free_slots(session, now, phone=True, limit=8)
            ),
            staffing=self.staffing(session, now, hours),
            opening_hours=hours,
            reminders_opted_out=bool(citizen.reminders_opted_out),
            retention_days=self.retention_days,
            recent_messages=recent_messages(session, conversation.id),
        )

    def staffing(
        self, session: Session, now: datetime, hours: tuple[WeeklyOpening, ...]
    ) -> Staffing:
        waiting = int(
            session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(Conversation.status == ConversationStatus.WAITING.value)
            )
            or 0
        )
        local = now.astimezone(self.tz)
        # No opening hours configured: assume someone is there rather than promise a time.
        is_open = not hours or bool(open_now(hours, local))
        upcoming = None if is_open else next_opening(hours, local)
        return Staffing(
            open_now=is_open,
            waiting_ahead=waiting,
            expected_wait_minutes=MINUTES_PER_WAITING_CONVERSATION * (waiting + 1),
            next_opening=upcoming[0] if upcoming is not None else None,
        )


def next_meeting(session: Session, citizen_id: int, now: datetime) -> MeetingInfo | None:
    row = session.execute(
        select(Booking, Consultant, Location)
        .join(Consultant, Booking.consultant_id == Consultant.id)
        .join(Location, Booking.location_id == Location.id)
        .where(
            Booking.citizen_id == citizen_id,
            Booking.status.in_(ACTIVE_BOOKING_STATUSES),
            Booking.ends_at > now,
        )
        .order_by(Booking.starts_at)
        .limit(1)
    ).first()
    if row is None:
        return None
    booking, consultant, location = row
    return MeetingInfo(
        booking_id=booking.id,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        consultant=consultant.display_name,
        location=location.name,
        address=location.address,
        directions=location.directions,
        kind=location.kind,
    )


def opening_hours(session: Session) -> tuple[WeeklyOpening, ...]:
    """Every weekly opening with its place, by place (in the order they were made), weekday and
    time; names are not sorted, as databases order "Å" differently."""
    rows = session.execute(
        select(OpeningHours, Location)
        .join(Location, OpeningHours.location_id == Location.id)
        .order_by(Location.id, OpeningHours.weekday, OpeningHours.opens)
    ).all()
    return tuple(
        WeeklyOpening(
            weekday=hours.weekday,
            opens=hours.opens,
            closes=hours.closes,
            location=location.name,
            address=location.address,
            kind=location.kind,
        )
        for hours, location in rows
    )


def free_slots(
    session: Session, now: datetime, *, phone: bool, limit: int = MAX_OFFERED_SLOTS
) -> tuple[SlotOffer, ...]:
    """Slots nobody has booked and no exception covers, soonest first."""
    booked = exists().where(Booking.slot_id == Slot.id, Booking.status.in_(ACTIVE_BOOKING_STATUSES))
    blocked = exists().where(
        SlotException.starts_at < Slot.ends_at,
        SlotException.ends_at > Slot.starts_at,
        or_(
            SlotException.consultant_id == Slot.consultant_id,
            SlotException.location_id == Slot.location_id,
            and_(
                SlotException.team_id == Location.team_id,
                SlotException.consultant_id.is_(None),
                SlotException.location_id.is_(None),
            ),
        ),
    )
    kind = Location.kind == LocationKind.PHONE.value
    rows = session.execute(
        select(Slot, Consultant, Location)
        .join(Consultant, Slot.consultant_id == Consultant.id)
        .join(Location, Slot.location_id == Location.id)
        .where(
            Slot.starts_at >= now + BOOKING_LEAD,
            Slot.starts_at < now + BOOKING_HORIZON,
            Consultant.active.is_(True),
            kind if phone else ~kind,
            ~booked,
            ~blocked,
        )
        .order_by(Slot.starts_at, Slot.id)
        .limit(limit)
    ).all()
    return tuple(
        SlotOffer(
            slot_id=slot.id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            consultant=consultant.display_name,
            location=location.name,
            address=location.address,
            kind=location.kind,
        )
        for slot, consultant, location in rows
    )


def recent_messages(session: Session, conversation_id: int) -> tuple[str, ...]:
    texts = session.scalars(
        select(Message.text)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.IN.value,
        )
        .order_by(Message.id.desc())
        .limit(RECENT_MESSAGES)
    ).all()
    return tuple(text for text in reversed(texts) if text)
