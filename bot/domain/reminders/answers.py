"""The citizen's answer to a reminder: the reminder a message may answer, and the effects of
``flows/reminder_reply.py`` (JA confirms, NEJ cancels, an answer to a check-in is recorded)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from bot.domain.booking_events import BookingListeners
from bot.domain.effects import EffectRunner, EffectScope
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    BookingStatus,
    Direction,
    Message,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from flows.content import Content
from flows.reminder_reply import AnswerReminder, ConfirmBooking, DeclineBooking
from flows.reminder_text import meeting_when
from flows.types import PendingReminder

# After this long without an answer, a check-in message no longer captures the next message.
CHECK_IN_ANSWER_WINDOW = timedelta(days=7)


# Every message a citizen sends runs these (built once; see bot/pipeline/identify.py).
_LAST_SENT_REMINDER = (
    select(Reminder)
    .where(
        Reminder.citizen_id == bindparam("citizen_id"),
        Reminder.status == ReminderStatus.SENT.value,
    )
    .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
    .limit(1)
)
# The sent reminder whose message the citizen replied to (Telegram's reply_to_message).
_REPLIED_REMINDER = select(Reminder).where(
    Reminder.citizen_id == bindparam("citizen_id"),
    Reminder.status == ReminderStatus.SENT.value,
    Reminder.message_id == bindparam("message_id"),
)
_SENT_AFTER = select(
    exists().where(
        Message.citizen_id == bindparam("citizen_id"),
        Message.direction == Direction.OUT.value,
        Message.id > bindparam("message_id"),
    )
)


def load_pending_reminder(
    session: Session,
    citizen_id: int,
    now: datetime,
    *,
    content: Content,
    language: str,
    tz: ZoneInfo,
    replies_to: int | None = None,
) -> PendingReminder | None:
    """The last reminder sent to the citizen, if it still awaits an answer; the one whose
    message the citizen replied to (``replies_to``), when they did, read as the latest."""
    reminder = None
    if replies_to is not None:
        params = {"citizen_id": citizen_id, "message_id": replies_to}
        reminder = session.scalars(_REPLIED_REMINDER, params).first()
    replied = reminder is not None
    if reminder is None:
        reminder = session.scalars(_LAST_SENT_REMINDER, {"citizen_id": citizen_id}).first()
    if reminder is None or reminder.answered_at is not None or reminder.sent_at is None:
        return None
    # Was anything sent to the citizen after the reminder (a bot or consultant reply)?
    latest = (
        replied
        or reminder.message_id is None
        or not session.scalar(
            _SENT_AFTER, {"citizen_id": citizen_id, "message_id": reminder.message_id}
        )
    )
    if reminder.kind == ReminderKind.CHECK_IN:
        if now - reminder.sent_at > CHECK_IN_ANSWER_WINDOW:
            return None
        return PendingReminder(reminder_id=reminder.id, kind=reminder.kind, latest=latest)
    booking = reminder.booking
    if booking is None or booking.status not in ACTIVE_BOOKING_STATUSES:
        return None
    if now >= booking.ends_at:
        return None
    return PendingReminder(
        reminder_id=reminder.id,
        kind=reminder.kind,
        booking_id=booking.id,
        when=meeting_when(content, language, booking.starts_at, now, tz),
        consultant_name=booking.consultant.display_name,
        latest=latest,
    )


class ReminderAnswers:
    """Carries out ConfirmBooking, DeclineBooking and AnswerReminder (dispatcher transaction)."""

    def __init__(self, listeners: BookingListeners) -> None:
        self.listeners = listeners

    def register(self, effects: EffectRunner) -> None:
        effects.register(ConfirmBooking, self.confirm)
        effects.register(DeclineBooking, self.decline)
        effects.register(AnswerReminder, self.answer)

    def _booking(self, scope: EffectScope, booking_id: int) -> Booking | None:
        booking = scope.session.get(Booking, booking_id, with_for_update=True)
        # Only the citizen's own active booking can be answered for.
        if booking is None or booking.citizen_id != scope.citizen_id:
            return None
        return booking if booking.status in ACTIVE_BOOKING_STATUSES else None

    def confirm(self, scope: EffectScope, effect: ConfirmBooking) -> None:
        booking = self._booking(scope, effect.booking_id)
        if booking is None:
            return
        booking.status = BookingStatus.CONFIRMED.value
        booking.confirmed_at = booking.confirmed_at or scope.now
        self.listeners.changed(scope.session, booking, scope.now)

    def decline(self, scope: EffectScope, effect: DeclineBooking) -> None:
        booking = self._booking(scope, effect.booking_id)
        if booking is None:
            return
        booking.status = BookingStatus.CANCELLED.value
        booking.cancelled_at = scope.now
        booking.cancel_reason = effect.reason
        self.listeners.changed(scope.session, booking, scope.now)

    def answer(self, scope: EffectScope, effect: AnswerReminder) -> None:
        reminder = scope.session.get(Reminder, effect.reminder_id)
        if reminder is not None and reminder.citizen_id == scope.citizen_id:
            reminder.answered_at = scope.now
            reminder.answer = effect.answer
            reminder.updated_at = scope.now
