"""Reminder policy and planning: which reminders a booking or a check-in gets, and when.

The policy (config ``reminders``) is applied in Europe/Copenhagen wall-clock time: a 48-hour
reminder goes out two days before at the same local time, also across a daylight-saving change;
leads that are not whole days (2 hours) are real elapsed hours. SMS reminders never go out in
quiet hours: one that would is pushed to the end of them, or, when that would leave less than half
its lead time before the meeting, to just before quiet hours began the evening before.

The booking listener :func:`ReminderPlanner.booking_changed` re-derives a booking's reminders in
the caller's transaction and is idempotent: each planned reminder has a ``dedupe_key`` (booking,
kind, lead, meeting start), so calling it twice plans nothing twice, a moved meeting cancels the
old reminders and plans new ones, and a cancelled meeting cancels them all.

This module also answers questions about reminders: the one a citizen's message may answer
(:func:`load_pending_reminder`), the statistics per policy (:func:`reminder_statistics`), and it
carries out the effects of ``flows/reminder_reply.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, bindparam, case, exists, func, select
from sqlalchemy.orm import Session

from bot.domain.booking_events import BookingListeners
from bot.domain.effects import EffectRunner, EffectScope
from bot.kernel.messages import Channel
from bot.runtime.config import Settings
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    BookingStatus,
    CheckIn,
    Citizen,
    Consultant,
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

# Bookings the citizen made themselves in a chat already got the chat's own confirmation.
CITIZEN_CHANNELS = frozenset(channel.value for channel in Channel)
# After this long without an answer, a check-in message no longer captures the next message.
CHECK_IN_ANSWER_WINDOW = timedelta(days=7)
# Statistics' label for bookings without a reminder policy (NULL).
NO_POLICY = "none"


def _parse_clock(value: str, key: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"reminders.{key}: not a HH:MM time: {value!r}") from exc


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """The configured reminder policy, with the local-time arithmetic it needs."""

    name: str
    confirmation_at_booking: bool
    hours_before: tuple[float, ...]
    quiet_start: time
    quiet_end: time
    check_in_time: time
    tz: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        config = settings.reminders
        return cls(
            name=config.policy,
            confirmation_at_booking=config.confirmation_at_booking,
            hours_before=tuple(sorted(set(config.hours_before), reverse=True)),
            quiet_start=_parse_clock(config.quiet_hours.start, "quiet_hours.start"),
            quiet_end=_parse_clock(config.quiet_hours.end, "quiet_hours.end"),
            check_in_time=_parse_clock(config.check_in_time, "check_in_time"),
            tz=settings.tz,
        )

    # -- local time -----------------------------------------------------------------------

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)

    def lead_before(self, starts_at: datetime, hours: float) -> datetime:
        """When a reminder ``hours`` before ``starts_at`` is planned (see module docstring)."""
        if hours % 24 == 0:
            local = starts_at.astimezone(self.tz)
            earlier = local.replace(tzinfo=None) - timedelta(days=hours // 24)
            return earlier.replace(tzinfo=self.tz).astimezone(UTC)
        return starts_at - timedelta(hours=hours)

    def in_quiet_hours(self, moment: datetime) -> bool:
        clock = moment.astimezone(self.tz).time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= clock < self.quiet_end
        return clock >= self.quiet_start or clock < self.quiet_end

    def quiet_end_after(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.tz)
        end = self._at(local.date(), self.quiet_end)
        return end if end > moment else self._at(local.date() + timedelta(days=1), self.quiet_end)

    def quiet_start_before(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.tz)
        start = self._at(local.date(), self.quiet_start)
        if start <= moment:
            return start
        return self._at(local.date() - timedelta(days=1), self.quiet_start)

    def send_time(
        self, planned: datetime, starts_at: datetime, *, lead: timedelta, sms: bool
    ) -> datetime:
        """When a reminder planned for ``planned`` is sent, keeping SMS out of quiet hours."""
        if not sms or not self.in_quiet_hours(planned):
            return planned
        after = self.quiet_end_after(planned)
        if starts_at - after >= lead / 2:
            return after
        return self.quiet_start_before(planned) - timedelta(minutes=1)

    def next_check_in(self, after: datetime, every_weeks: int) -> datetime:
        """The check-in ``every_weeks`` weeks after ``after``, at the check-in time of day."""
        day = after.astimezone(self.tz).date() + timedelta(weeks=every_weeks)
        return self._at(day, self.check_in_time)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    dedupe_key: str
    kind: ReminderKind
    hours_before: float | None
    planned_at: datetime
    due_at: datetime


def planned_channel(citizen: Citizen) -> str | None:
    """The channel a reminder will probably use: the last one, else SMS if a phone is known."""
    if citizen.last_channel:
        return citizen.last_channel
    return Channel.SMS.value if citizen.phone else None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


class ReminderPlanner:
    """Derives reminders of bookings and check-ins; the booking listener lives here."""

    def __init__(self, policy: ReminderPolicy) -> None:
        self.policy = policy

    def plan_booking(
        self, booking: Booking, citizen: Citizen, now: datetime
    ) -> list[PlannedReminder]:
        """The reminders the policy wants for ``booking`` as it is now."""
        policy = self.policy
        starts_at = booking.starts_at
        if booking.status not in ACTIVE_BOOKING_STATUSES or starts_at <= now:
            return []
        channel = planned_channel(citizen)
        sms = channel in (None, Channel.SMS.value)
        stamp = _stamp(starts_at)
        plans: list[PlannedReminder] = []
        if policy.confirmation_at_booking and booking.booked_via not in CITIZEN_CHANNELS:
            due = policy.send_time(now, starts_at, lead=starts_at - now, sms=sms)
            key = f"booking:{booking.id}:confirmation:{stamp}"
            plans.append(PlannedReminder(key, ReminderKind.CONFIRMATION, None, now, due))
        for hours in policy.hours_before:
            planned = policy.lead_before(starts_at, hours)
            due = policy.send_time(planned, starts_at, lead=timedelta(hours=hours), sms=sms)
            key = f"booking:{booking.id}:before:{hours:g}h:{stamp}"
            plans.append(PlannedReminder(key, ReminderKind.BEFORE, hours, planned, due))
        return plans

    def booking_changed(self, session: Session, booking: Booking, now: datetime) -> None:
        """Booking listener: re-derive the booking's reminders (idempotent, same transaction)."""
        session.flush()
        citizen = booking.citizen
        # The policy that applies, for statistics: none for a citizen who gets no reminders
        # (NULL, as bookings from before reminders; shown as "none").
        if citizen is None or citizen.reminders_opted_out:
            if booking.reminder_policy == self.policy.name:
                booking.reminder_policy = None
        elif booking.reminder_policy is None:
            booking.reminder_policy = self.policy.name
        # Locked so a scheduler sending one of them right now finishes first (no lost update).
        existing = session.scalars(
            select(Reminder)
            .where(Reminder.booking_id == booking.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        plans = [] if citizen is None else self.plan_booking(booking, citizen, now)
        wanted = {plan.dedupe_key: plan for plan in plans}
        note = "booking moved" if booking.status in ACTIVE_BOOKING_STATUSES else "booking ended"
        by_key = {row.dedupe_key: row for row in existing}
        for row in existing:
            if row.status == ReminderStatus.SCHEDULED and row.dedupe_key not in wanted:
                row.status = ReminderStatus.CANCELLED.value
                row.note = note
                row.updated_at = now
        channel = None if citizen is None else planned_channel(citizen)
        for key, plan in wanted.items():
            found = by_key.get(key)
            if found is None:
                # A reminder whose moment passed before the booking existed is not planned.
                if plan.kind is ReminderKind.BEFORE and plan.due_at <= now:
                    continue
                assert citizen is not None
                session.add(
                    Reminder(
                        dedupe_key=key,
                        citizen_id=citizen.id,
                        booking_id=booking.id,
                        kind=plan.kind.value,
                        hours_before=plan.hours_before,
                        planned_at=plan.planned_at,
                        due_at=plan.due_at,
                        channel=channel,
                        status=ReminderStatus.SCHEDULED.value,
                        policy=booking.reminder_policy,
                        created_at=now,
                        updated_at=now,
                    )
                )
            elif found.status == ReminderStatus.CANCELLED and plan.due_at > now:
                # Moved back to a time it had before: the same reminder is wanted again.
                found.status = ReminderStatus.SCHEDULED.value
                found.note = None
                found.due_at = plan.due_at
                found.updated_at = now
        session.flush()

    # -- check-ins ------------------------------------------------------------------------

    def set_check_in(
        self,
        session: Session,
        citizen: Citizen,
        every_weeks: int | None,
        now: datetime,
        *,
        consultant_id: int | None = None,
    ) -> CheckIn | None:
        """Start, change (``every_weeks``) or stop (``None``) a citizen's recurring check-in."""
        if every_weeks is not None and not 1 <= every_weeks <= 52:
            raise ValueError("a check-in is every 1 to 52 weeks")
        check_in = session.scalars(
            select(CheckIn).where(CheckIn.citizen_id == citizen.id).with_for_update()
        ).first()
        if check_in is not None:
            self._cancel_check_in_reminders(session, check_in, now)
        if every_weeks is None:
            if check_in is not None:
                check_in.active = False
                check_in.updated_at = now
            return check_in
        if check_in is None:
            check_in = CheckIn(citizen_id=citizen.id, created_at=now)
            session.add(check_in)
        check_in.every_weeks = every_weeks
        check_in.active = True
        check_in.set_by_id = consultant_id
        check_in.updated_at = now
        session.flush()
        self.plan_next_check_in(session, check_in, now, now)
        return check_in

    def plan_next_check_in(
        self, session: Session, check_in: CheckIn, after: datetime, now: datetime
    ) -> Reminder | None:
        """Plan the check-in after ``after`` (skipping occurrences already past)."""
        if not check_in.active:
            return None
        due = self.policy.next_check_in(after, check_in.every_weeks)
        while due <= now:
            due = self.policy.next_check_in(due, check_in.every_weeks)
        key = f"check_in:{check_in.id}:{_stamp(due)}"
        existing = session.scalars(select(Reminder).where(Reminder.dedupe_key == key)).first()
        if existing is not None:
            return existing
        row = Reminder(
            dedupe_key=key,
            citizen_id=check_in.citizen_id,
            check_in_id=check_in.id,
            kind=ReminderKind.CHECK_IN.value,
            planned_at=due,
            due_at=due,
            channel=planned_channel(check_in.citizen),
            status=ReminderStatus.SCHEDULED.value,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return row

    def _cancel_check_in_reminders(
        self, session: Session, check_in: CheckIn, now: datetime
    ) -> None:
        rows = session.scalars(
            select(Reminder)
            .where(
                Reminder.check_in_id == check_in.id,
                Reminder.status == ReminderStatus.SCHEDULED.value,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        for row in rows:
            if row.status == ReminderStatus.SCHEDULED:
                row.status = ReminderStatus.CANCELLED.value
                row.note = "check-in changed"
                row.updated_at = now


# -- the citizen's answer --------------------------------------------------------------------


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
) -> PendingReminder | None:
    """The last reminder sent to the citizen, if it still awaits an answer."""
    reminder = session.scalars(_LAST_SENT_REMINDER, {"citizen_id": citizen_id}).first()
    if reminder is None or reminder.answered_at is not None or reminder.sent_at is None:
        return None
    # Was anything sent to the citizen after the reminder (a bot or consultant reply)?
    latest = reminder.message_id is None or not session.scalar(
        _SENT_AFTER, {"citizen_id": citizen_id, "message_id": reminder.message_id}
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


# -- statistics and listing --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    """How the bookings under one reminder policy went (for the inbox's statistics page)."""

    policy: str
    bookings: int
    confirmed: int
    cancelled: int
    no_show: int
    attended: int


def reminder_statistics(session: Session) -> list[PolicyOutcome]:
    """Confirmed, cancelled and no-show counts per ``Booking.reminder_policy``.

    ``confirmed`` counts bookings the citizen confirmed (JA), whatever happened after.
    """
    policy = func.coalesce(Booking.reminder_policy, NO_POLICY)

    def count_status(status: BookingStatus) -> ColumnElement[Any]:
        return func.sum(case((Booking.status == status.value, 1), else_=0))

    rows = session.execute(
        select(
            policy,
            func.count(Booking.id),
            func.sum(case((Booking.confirmed_at.is_not(None), 1), else_=0)),
            count_status(BookingStatus.CANCELLED),
            count_status(BookingStatus.NO_SHOW),
            count_status(BookingStatus.ATTENDED),
        )
        .group_by(policy)
        .order_by(policy)
    ).all()
    return [
        PolicyOutcome(
            str(name), int(total), int(conf or 0), int(canc or 0), int(ns or 0), int(att or 0)
        )
        for name, total, conf, canc, ns, att in rows
    ]


@dataclass(frozen=True, slots=True)
class ReminderListing:
    id: int
    kind: str
    status: str
    due_at: datetime
    channel: str | None
    booking_id: int | None
    check_in_id: int | None
    citizen_id: int
    meeting_at: datetime | None
    consultant: str | None
    note: str | None


def list_reminders(
    session: Session,
    *,
    statuses: Sequence[str] = (ReminderStatus.SCHEDULED.value,),
    limit: int = 500,
) -> list[ReminderListing]:
    """Reminders by due time (scheduled ones by default) for ``borgerchat reminders list``."""
    query = (
        select(Reminder, Booking.starts_at, Consultant.display_name)
        .outerjoin(Booking, Booking.id == Reminder.booking_id)
        .outerjoin(Consultant, Consultant.id == Booking.consultant_id)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    if statuses:
        query = query.where(Reminder.status.in_(list(statuses)))
    return [
        ReminderListing(
            id=row.id,
            kind=row.kind,
            status=row.status,
            due_at=row.due_at,
            channel=row.channel,
            booking_id=row.booking_id,
            check_in_id=row.check_in_id,
            citizen_id=row.citizen_id,
            meeting_at=starts_at,
            consultant=consultant,
            note=row.note,
        )
        for row, starts_at, consultant in session.execute(query).all()
    ]
