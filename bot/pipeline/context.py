"""Loading what the flows need to know into a :class:`FlowContext`, before each step.

The flows are pure; this is where the database is read for them: the citizen's next meeting,
free slots (not booked, not inside a slot exception), callback slots, whether a person can
answer now (weekly opening hours), how long the queue is and how long a citizen joining it can
expect to wait (:mod:`bot.domain.expected_wait`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.expected_wait import (
    FALLBACK_MINUTES_PER_CONVERSATION,
    expected_wait_minutes,
    recent_waits,
)
from bot.domain.stated_facts import help_line, privacy_facts, sick_notice_rule
from bot.pipeline.flow_step import waiting_of
from bot.runtime.config import Settings
from bot.store.conversations import OpenConversation
from bot.store.db import Database, MessageTransaction
from bot.store.models import (
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
from flows.types import (
    FlowContext,
    MeetingInfo,
    PendingReminder,
    SlotOffer,
    Staffing,
    Waiting,
    WeeklyOpening,
)

T = TypeVar("T")

# A meeting can be booked from this long ahead, and this far into the future.
BOOKING_LEAD = timedelta(hours=1)
BOOKING_HORIZON = timedelta(days=28)
MAX_OFFERED_SLOTS = 40
RECENT_MESSAGES = 5


# Built once with bound parameters (see bot/pipeline/identify.py for why).
_NEXT_MEETING = (
    # Columns in MeetingInfo's field order, not ORM entities: plain values load cheaply.
    select(
        Booking.id,
        Booking.starts_at,
        Booking.ends_at,
        Consultant.display_name,
        Location.name,
        Location.address,
        Location.directions,
        Location.kind,
    )
    .join(Consultant, Booking.consultant_id == Consultant.id)
    .join(Location, Booking.location_id == Location.id)
    .where(
        Booking.citizen_id == bindparam("citizen_id"),
        Booking.status.in_(ACTIVE_BOOKING_STATUSES),
        Booking.ends_at > bindparam("now"),
    )
    .order_by(Booking.starts_at)
    .limit(1)
)
_WAITING_COUNT = (
    select(func.count())
    .select_from(Conversation)
    .where(Conversation.status == ConversationStatus.WAITING.value)
)
# The conversations ahead of a waiting one: more urgent, or as urgent and waiting longer.
_WAITING_AHEAD = (
    select(func.count())
    .select_from(Conversation)
    .where(
        Conversation.status == ConversationStatus.WAITING.value,
        Conversation.id != bindparam("conversation_id"),
        or_(
            Conversation.priority > bindparam("priority"),
            and_(
                Conversation.priority == bindparam("priority"),
                Conversation.waiting_since < bindparam("since"),
            ),
        ),
    )
)
_RECENT_MESSAGES = (
    select(Message.text)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.direction == Direction.IN.value,
    )
    .order_by(Message.id.desc())
    .limit(RECENT_MESSAGES)
)

# Finds the reminder a citizen's message may answer: (session, citizen id, now, language).
PendingReminderLoader = Callable[[Session, int, datetime, str, int | None], PendingReminder | None]


# The shared entries that hold free slots (tuples of SlotOffer).
_SLOT_LISTS = frozenset({"free", "callback"})


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

    def forget_slot(self, slot_id: int) -> None:
        """Drop a slot that was just booked from the cached free times (cheaper than a reload)."""
        with self._lock:
            for key, (expires, value) in list(self._entries.items()):
                if key[0] in _SLOT_LISTS and isinstance(value, tuple):
                    offers = tuple(offer for offer in value if offer.slot_id != slot_id)
                    self._entries[key] = (expires, offers)


class FlowContextLoader:
    def __init__(
        self,
        settings: Settings,
        *,
        pending_reminder: PendingReminderLoader | None = None,
        shared_ttl_seconds: float = 2.0,
    ) -> None:
        self.pending_reminder = pending_reminder
        self.tz = ZoneInfo(settings.locale.timezone)
        self.timezone = settings.locale.timezone
        self.privacy = privacy_facts(settings)
        self.sick_notice = sick_notice_rule(settings)
        self.help_lines = tuple(help_line(line) for line in settings.crisis.help_lines)
        self.acknowledge_every = timedelta(minutes=settings.waiting.acknowledge_every_minutes)
        self.shared = _SharedContext(shared_ttl_seconds)

    def booking_changed(self, _session: Session, booking: Booking, _now: datetime) -> None:
        """A booking listener: a booked slot leaves the cached free times; any other change
        (a cancellation, a move) may free one, so they are loaded afresh."""
        if booking.status in ACTIVE_BOOKING_STATUSES:
            self.shared.forget_slot(booking.slot_id)
        else:
            self.shared.clear()

    def __call__(
        self, work: MessageTransaction, conversation: OpenConversation, channel: str, now: datetime
    ) -> FlowContext:
        return FlowContext(
            now=now,
            language=conversation.language,
            channel=channel,
            citizen_id=conversation.citizen_id,
            timezone=self.timezone,
            reminders_opted_out=conversation.reminders_opted_out,
            facts=DatabaseFacts(self, work, conversation, now),
            privacy=self.privacy,
            sick_notice=self.sick_notice,
            waiting=waiting_of(conversation),
            first_contact=conversation.first_contact,
            help_lines=self.help_lines,
            acknowledge_every=self.acknowledge_every,
        )

    def opening_hours(self, db: Database, now: datetime) -> tuple[WeeklyOpening, ...]:
        # Plain values, not ORM rows: the cache outlives the transaction that loaded them.
        return self.shared.get("hours", now, lambda: opening_hours(db))

    def staffing(
        self, db: Database, now: datetime, conversation: OpenConversation | None = None
    ) -> Staffing:
        """Whether a person can answer now, and the wait: behind every waiting chat for one
        joining the queue, behind those ahead of it for one already in it."""
        hours = self.opening_hours(db, now)
        queued = waiting_of(conversation) if conversation is not None else None
        if queued is not None and conversation is not None and queued.since is not None:
            waiting = _ahead_of(db, conversation.conversation_id, queued)
        else:
            waiting = int(db.scalar(_WAITING_COUNT) or 0)
        local = now.astimezone(self.tz)
        # No opening hours configured: assume someone is there rather than promise a time.
        is_open = not hours or bool(open_now(hours, local))
        upcoming = None if is_open else next_opening(hours, local)
        if is_open or upcoming is None:
            # The citizen will be told this wait: estimated from the latest real ones.
            expected = expected_wait_minutes(
                recent_waits(db, now), waiting_ahead=waiting, now=now, hours=hours, tz=self.tz
            )
        else:
            # Closed: the citizen is told when we open instead, so no history is read.
            expected = FALLBACK_MINUTES_PER_CONVERSATION * (waiting + 1)
        return Staffing(
            open_now=is_open,
            waiting_ahead=waiting,
            expected_wait_minutes=expected,
            next_opening=upcoming[0] if upcoming is not None else None,
        )


class DatabaseFacts:
    """The facts of one message's context, each read from the database when a flow first asks
    (within the message's transaction), then kept."""

    def __init__(
        self,
        loader: FlowContextLoader,
        work: MessageTransaction,
        conversation: OpenConversation,
        now: datetime,
    ) -> None:
        self._loader = loader
        self._reminder_awaits_answer = conversation.reminder_awaits_answer
        self._work = work
        self._db = work.connection
        self._citizen_id = conversation.citizen_id
        self._conversation_id = conversation.conversation_id
        self._language = conversation.language
        self._conversation = conversation
        self._now = now

    @cached_property
    def next_meeting(self) -> MeetingInfo | None:
        return next_meeting(self._db, self._citizen_id, self._now)

    @cached_property
    def free_slots(self) -> tuple[SlotOffer, ...]:
        db, now = self._db, self._now
        return self._loader.shared.get("free", now, lambda: free_slots(db, now, phone=False))

    @cached_property
    def callback_slots(self) -> tuple[SlotOffer, ...]:
        db, now = self._db, self._now
        return self._loader.shared.get(
            "callback", now, lambda: free_slots(db, now, phone=True, limit=8)
        )

    @cached_property
    def staffing(self) -> Staffing:
        return self._loader.staffing(self._db, self._now, self._conversation)

    @cached_property
    def opening_hours(self) -> tuple[WeeklyOpening, ...]:
        return self._loader.opening_hours(self._db, self._now)

    @cached_property
    def recent_messages(self) -> tuple[str, ...]:
        return recent_messages(self._db, self._conversation_id)

    @cached_property
    def phone_known(self) -> bool:
        query = select(Citizen.phone, Citizen.callback_phone).where(Citizen.id == self._citizen_id)
        row = self._db.execute(query).first()
        return row is not None and bool(row.phone or row.callback_phone)

    @cached_property
    def pending_reminder(self) -> PendingReminder | None:
        load = self._loader.pending_reminder
        if load is None or not self._reminder_awaits_answer:
            return None
        replies_to = self._conversation.replies_to
        return load(self._work.session, self._citizen_id, self._now, self._language, replies_to)


def _ahead_of(db: Database, conversation_id: int, queued: Waiting) -> int:
    params = {
        "conversation_id": conversation_id,
        "priority": queued.priority,
        "since": queued.since,
    }
    return int(db.scalar(_WAITING_AHEAD, params) or 0)


def next_meeting(db: Database, citizen_id: int, now: datetime) -> MeetingInfo | None:
    row = db.execute(_NEXT_MEETING, {"citizen_id": citizen_id, "now": now}).first()
    if row is None:
        return None
    return MeetingInfo(*row)


def opening_hours(db: Database) -> tuple[WeeklyOpening, ...]:
    """Every weekly opening with its place, by place (in the order they were made), weekday and
    time; names are not sorted, as databases order "Å" differently."""
    rows = db.execute(
        # Columns in WeeklyOpening's field order, not ORM entities.
        select(
            OpeningHours.weekday,
            OpeningHours.opens,
            OpeningHours.closes,
            Location.name,
            Location.address,
            Location.kind,
        )
        .join(Location, OpeningHours.location_id == Location.id)
        .order_by(Location.id, OpeningHours.weekday, OpeningHours.opens)
    ).all()
    return tuple(WeeklyOpening(*row) for row in rows)


def free_slots(
    db: Database, now: datetime, *, phone: bool, limit: int = MAX_OFFERED_SLOTS
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
    rows = db.execute(
        # Columns in SlotOffer's field order, not ORM entities: plain values load cheaply.
        select(
            Slot.id,
            Slot.starts_at,
            Slot.ends_at,
            Consultant.display_name,
            Location.name,
            Location.address,
            Location.kind,
        )
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
    return tuple(SlotOffer(*row) for row in rows)


def recent_messages(db: Database, conversation_id: int) -> tuple[str, ...]:
    texts = db.scalars(_RECENT_MESSAGES, {"conversation_id": conversation_id}).all()
    return tuple(text for text in reversed(texts) if text)
