"""Reminder planning: which reminders a booking or a check-in gets, and when.

The booking listener :func:`ReminderPlanner.booking_changed` re-derives a booking's reminders in
the caller's transaction and is idempotent: each planned reminder has a ``dedupe_key`` (booking,
kind, lead, meeting start), so calling it twice plans nothing twice, a moved meeting cancels the
old reminders and plans new ones, and a cancelled meeting cancels them all. When they are sent is
the policy's (:mod:`bot.domain.reminders.policy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.reminders.policy import ReminderPolicy
from bot.kernel.messages import Channel
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    CheckIn,
    Citizen,
    Reminder,
    ReminderKind,
    ReminderStatus,
)

# Bookings the citizen made themselves in a chat already got the chat's own confirmation.
CITIZEN_CHANNELS = frozenset(channel.value for channel in Channel)


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
