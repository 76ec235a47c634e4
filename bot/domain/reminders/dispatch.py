"""Reminder dispatch: turns due reminder rows into outbox messages.

State lives in the ``reminders`` table: :meth:`ReminderDispatcher.dispatch_due` claims due rows
with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer at a time) and, in
the same transaction, writes each reminder's outbound message (``queued``: the channel's outbox
sender delivers it, the web chat pulls it) and marks the reminder ``sent`` with the message id.
So a restart loses nothing (rows stay ``scheduled`` until a commit says otherwise) and two nodes
never send one reminder twice (a row is claimed by one transaction, and ``sent`` rows are never
claimed again). A periodic job calls it (``integrations/scheduler.py`` in the server,
``borgerchat reminders dispatch`` by hand).

Reminders found late (the server was down) are sent if still useful: the meeting has not
started, and no later reminder of the same booking is due too (then only the latest goes out).
Otherwise they are ``skipped`` with a note. An SMS is not sent in quiet hours but postponed to
their end.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from bot.domain.delivery import delivery_target, proactive_message
from bot.domain.reminders.planning import ReminderPlanner
from bot.domain.reminders.policy import ReminderPolicy
from bot.kernel.clock import Clock
from bot.kernel.errors import ContentError
from bot.kernel.messages import Channel
from bot.runtime.config import Settings
from bot.store.conversations import new_conversation, open_conversations
from bot.store.db import SessionFactory, transaction
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    Citizen,
    Consultant,
    Conversation,
    LocationKind,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from flows.content import Content
from flows.reminder_text import MeetingDetails, check_in_text, meeting_reminder_text

log = logging.getLogger(__name__)

# A reminder due at 20:59 that a pass finds at 21:00 still goes: the delay is ours, not its.
QUIET_GRACE = timedelta(minutes=15)


@dataclass
class DispatchCounts:
    """What one pass did, by outcome."""

    sent: int = 0
    skipped: int = 0
    cancelled: int = 0
    failed: int = 0
    postponed: int = 0
    by_note: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.cancelled + self.failed + self.postponed

    def add(self, other: DispatchCounts) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.cancelled += other.cancelled
        self.failed += other.failed
        self.postponed += other.postponed
        for note, count in other.by_note.items():
            self.by_note[note] = self.by_note.get(note, 0) + count


class ReminderDispatcher:
    """Claims due reminders and writes their messages, one batch per transaction."""

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        content: Content,
        settings: Settings,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.content = content
        self.policy = ReminderPolicy.from_settings(settings)
        self.planner = ReminderPlanner(self.policy)
        self.batch_size = settings.reminders.batch_size
        self.max_segments = settings.twilio.max_segments

    def dispatch_due(self, *, max_batches: int | None = None) -> DispatchCounts:
        """Send everything due now, batch by batch; stops when a batch comes back short."""
        total = DispatchCounts()
        batches = 0
        while max_batches is None or batches < max_batches:
            counts = self.dispatch_batch()
            total.add(counts)
            batches += 1
            if counts.handled < self.batch_size:
                break
        return total

    def dispatch_batch(self) -> DispatchCounts:
        now = self.clock.now()
        counts = DispatchCounts()
        with transaction(self.session_factory) as session:
            claimed = session.scalars(
                select(Reminder)
                .where(
                    Reminder.status == ReminderStatus.SCHEDULED.value,
                    Reminder.due_at <= now,
                )
                .order_by(Reminder.due_at, Reminder.id)
                .limit(self.batch_size)
                # Two nodes take disjoint batches; a row locked by the other is not waited for.
                .with_for_update(skip_locked=True, of=Reminder)
                .options(
                    selectinload(Reminder.citizen).selectinload(Citizen.identities),
                    selectinload(Reminder.booking).selectinload(Booking.consultant),
                    selectinload(Reminder.booking).selectinload(Booking.location),
                    selectinload(Reminder.check_in),
                )
            ).all()
            if not claimed:
                return counts
            batch = _Batch(
                latest_due=self._latest_due(session, claimed, now),
                conversations=open_conversations(
                    session, {reminder.citizen_id for reminder in claimed}
                ),
            )
            for reminder in claimed:
                try:
                    outcome, note = self._handle(session, batch, reminder, now)
                except (ContentError, LookupError, ValueError, KeyError) as exc:
                    # One reminder that cannot be worded must not hold back the rest forever.
                    log.exception("reminder %s could not be prepared", reminder.id)
                    outcome, note = self._close(
                        reminder, ReminderStatus.FAILED, f"error: {exc}"[:200], now
                    )
                if reminder.check_in is not None and reminder.status != ReminderStatus.SCHEDULED:
                    # Sent, skipped or failed: the rhythm goes on (a postponed one is still due).
                    self.planner.plan_next_check_in(
                        session, reminder.check_in, reminder.planned_at, now
                    )
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                if note:
                    counts.by_note[note] = counts.by_note.get(note, 0) + 1
            self._write_messages(session, batch, now)
        return counts

    def _write_messages(self, session: Session, batch: _Batch, now: datetime) -> None:
        """The batch's messages, with as few flushes as possible (they dominate the cost)."""
        for outgoing in batch.to_send:
            citizen = outgoing.reminder.citizen
            if citizen.id not in batch.conversations:
                conversation = new_conversation(citizen, now)
                session.add(conversation)
                batch.conversations[citizen.id] = conversation
        session.flush()
        messages = [
            proactive_message(
                citizen=outgoing.reminder.citizen,
                conversation_id=batch.conversations[outgoing.reminder.citizen_id].id,
                channel=outgoing.channel,
                address=outgoing.address,
                text=outgoing.text,
                choices=outgoing.choices,
                now=now,
            )
            for outgoing in batch.to_send
        ]
        session.add_all(messages)
        session.flush()
        for outgoing, message in zip(batch.to_send, messages, strict=True):
            outgoing.reminder.message_id = message.id

    def _handle(
        self, session: Session, batch: _Batch, reminder: Reminder, now: datetime
    ) -> tuple[str, str | None]:
        citizen = reminder.citizen
        booking = reminder.booking
        if reminder.kind == ReminderKind.CHECK_IN:
            if reminder.check_in is None or not reminder.check_in.active:
                return self._close(reminder, ReminderStatus.CANCELLED, "check-in stopped", now)
        else:
            if booking is None or booking.status not in ACTIVE_BOOKING_STATUSES:
                return self._close(reminder, ReminderStatus.CANCELLED, "booking ended", now)
            if now >= booking.starts_at:
                return self._close(reminder, ReminderStatus.SKIPPED, "meeting has started", now)
            latest = batch.latest_due.get(booking.id)
            if latest is not None and latest > reminder.planned_at:
                # A later reminder of the same meeting is due or sent: this late one is pointless.
                return self._close(reminder, ReminderStatus.SKIPPED, "a later reminder is due", now)
        if citizen.reminders_opted_out:
            return self._close(reminder, ReminderStatus.SKIPPED, "opted out", now)
        target = delivery_target(citizen, citizen.identities, fall_back=True)
        if target is None:
            return self._close(reminder, ReminderStatus.FAILED, "no channel to reach", now)
        channel, address = target
        if channel == Channel.SMS and self._quiet_now(reminder, now):
            end = self.policy.quiet_end_after(now)
            if booking is not None and end >= booking.starts_at:
                return self._close(reminder, ReminderStatus.SKIPPED, "quiet hours", now)
            reminder.due_at = end
            reminder.updated_at = now
            return "postponed", "quiet hours"
        text, choices = self._compose(session, reminder, channel, now)
        batch.to_send.append(_Outgoing(reminder, channel, address, text, choices))
        reminder.status = ReminderStatus.SENT.value
        reminder.sent_at = now
        reminder.channel = channel.value
        reminder.updated_at = now
        return "sent", None

    def _quiet_now(self, reminder: Reminder, now: datetime) -> bool:
        """In quiet hours, unless it was due before them and only the poll delay held it."""
        if not self.policy.in_quiet_hours(now):
            return False
        return self.policy.in_quiet_hours(reminder.due_at) or now - reminder.due_at > QUIET_GRACE

    def _close(
        self, reminder: Reminder, status: ReminderStatus, note: str, now: datetime
    ) -> tuple[str, str | None]:
        reminder.status = status.value
        reminder.note = note
        reminder.updated_at = now
        return status.value, note

    def _latest_due(
        self, session: Session, claimed: Sequence[Reminder], now: datetime
    ) -> dict[int, datetime]:
        """Per booking in the batch: the latest planned moment of its reminders due or sent."""
        booking_ids = {r.booking_id for r in claimed if r.booking_id is not None}
        if not booking_ids:
            return {}
        rows = session.execute(
            select(Reminder.booking_id, func.max(Reminder.planned_at))
            .where(
                Reminder.booking_id.in_(booking_ids),
                Reminder.kind != ReminderKind.CHECK_IN.value,
                Reminder.due_at <= now,
                Reminder.status.in_([ReminderStatus.SCHEDULED.value, ReminderStatus.SENT.value]),
            )
            .group_by(Reminder.booking_id)
        ).all()
        result: dict[int, datetime] = {}
        for booking_id, latest in rows:
            if booking_id is not None and latest is not None:
                # SQLite returns MAX() of a UtcDateTime as text or naive: make it comparable.
                result[booking_id] = _as_utc(latest)
        return result

    def _compose(
        self, session: Session, reminder: Reminder, channel: Channel, now: datetime
    ) -> tuple[str, list[str]]:
        citizen = reminder.citizen
        language = citizen.language or "da"
        sms = channel == Channel.SMS
        if reminder.kind == ReminderKind.CHECK_IN:
            consultant = (
                session.get(Consultant, citizen.contact_consultant_id)
                if citizen.contact_consultant_id
                else None
            )
            name = consultant.display_name if consultant else None
            return check_in_text(self.content, language, name), []
        booking = reminder.booking
        assert booking is not None
        location = booking.location
        meeting = MeetingDetails(
            starts_at=booking.starts_at,
            consultant_name=booking.consultant.display_name,
            place=location.name,
            address=location.address,
            directions=location.directions,
            by_phone=location.kind == LocationKind.PHONE,
            topic=booking.topic,
            citizen_name=citizen.display_name,
        )
        intro = "before"
        if reminder.kind == ReminderKind.CONFIRMATION:
            intro = "moved" if self._was_moved(session, reminder, booking) else "confirmation"
        text = meeting_reminder_text(
            self.content,
            language,
            meeting,
            intro_key=intro,
            now=now,
            tz=self.policy.tz,
            sms=sms,
            max_segments=self.max_segments,
        )
        # SMS has no buttons: the text itself says JA / NEJ / FLYT.
        choices = [] if sms else list(self.content.raw(language, "reminders.answer_choices"))
        return text, choices

    def _was_moved(self, session: Session, reminder: Reminder, booking: Booking) -> bool:
        if booking.rescheduled_from_id is not None:
            return True
        earlier = session.scalar(
            select(
                exists().where(
                    Reminder.booking_id == booking.id,
                    Reminder.kind == ReminderKind.CONFIRMATION.value,
                    Reminder.id != reminder.id,
                    Reminder.planned_at <= reminder.planned_at,
                )
            )
        )
        return bool(earlier)


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class _Batch:
    """What one batch's reminders share, loaded once per batch."""

    latest_due: dict[int, datetime]
    conversations: dict[int, Conversation]
    to_send: list[_Outgoing] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Outgoing:
    reminder: Reminder
    channel: Channel
    address: str
    text: str
    choices: list[str]
