"""Carrying out what the dialogue flows decide: bookings, absence notices, job profiles,
reminder opt-out and deleting a citizen's data. Handlers run in the dispatcher's transaction.

Double booking is impossible by construction: the database allows one active booking per slot
(a partial unique index). A handler that loses the race raises :class:`SlotTaken`, the
dispatcher rolls the message back and the flow offers other times.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from bot.domain.booking_events import BookingListeners
from bot.domain.citizen_data import erase_citizen_data
from bot.domain.effects import EffectRunner, EffectScope
from bot.kernel.errors import SlotTaken
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    AbsenceNotice,
    Booking,
    BookingStatus,
    Direction,
    JobProfile,
    Location,
    Message,
    Slot,
)
from flows.types import (
    BookMeeting,
    CancelMeeting,
    DeleteCitizenData,
    OptOutOfReminders,
    RecordAbsence,
    RecordRecovery,
    RescheduleMeeting,
    SaveJobProfile,
)

# A slot to book, with its place's team, and whether someone holds it already: one round trip.
_SLOT_TO_BOOK = (
    select(
        Slot.consultant_id,
        Slot.location_id,
        Slot.starts_at,
        Slot.ends_at,
        Location.team_id,
        exists()
        .where(Booking.slot_id == Slot.id, Booking.status.in_(ACTIVE_BOOKING_STATUSES))
        .label("taken"),
    )
    .join(Location, Slot.location_id == Location.id)
    .where(Slot.id == bindparam("slot_id"))
)


class BookingEffects:
    """The effect handlers of the dialogue flows; :meth:`register` wires them on a runner."""

    def __init__(self, listeners: BookingListeners, reminder_policy: str) -> None:
        self.listeners = listeners
        self.reminder_policy = reminder_policy

    def register(self, runner: EffectRunner) -> None:
        runner.register(BookMeeting, self.book)
        runner.register(RescheduleMeeting, self.reschedule)
        runner.register(CancelMeeting, self.cancel)
        runner.register(RecordAbsence, record_absence)
        runner.register(RecordRecovery, record_recovery)
        runner.register(SaveJobProfile, save_job_profile)
        runner.register(OptOutOfReminders, opt_out_of_reminders)
        runner.register(DeleteCitizenData, self.delete_citizen_data)

    # Meetings ----------------------------------------------------------------------------------

    def _insert(self, scope: EffectScope, slot_id: int, topic: str | None) -> Booking:
        session = scope.session
        slot = session.execute(_SLOT_TO_BOOK, {"slot_id": slot_id}).first()
        if slot is None or slot.taken:
            raise SlotTaken(slot_id)
        citizen = scope.citizen
        # The first consultant a citizen meets becomes their contact person (and team), so
        # their absence notices and job wishes reach someone who knows them.
        if citizen.contact_consultant_id is None:
            citizen.contact_consultant_id = slot.consultant_id
        if citizen.team_id is None:
            citizen.team_id = slot.team_id
        booking = Booking(
            citizen_id=scope.citizen_id,
            slot_id=slot_id,
            consultant_id=slot.consultant_id,
            location_id=slot.location_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            status=BookingStatus.BOOKED.value,
            topic=topic,
            reminder_policy=self.reminder_policy,
            booked_via=citizen.last_channel,
            created_at=scope.now,
        )
        session.add(booking)
        try:
            # A concurrent booking of the same slot meets the partial unique index here; the
            # dispatcher rolls the whole message back and the flow offers other times.
            session.flush()
        except IntegrityError as exc:
            raise SlotTaken(slot_id) from exc
        return booking

    def book(self, scope: EffectScope, effect: BookMeeting) -> None:
        booking = self._insert(scope, effect.slot_id, effect.topic)
        self.listeners.changed(scope.session, booking, scope.now)

    def reschedule(self, scope: EffectScope, effect: RescheduleMeeting) -> None:
        old = self._own_active(scope, effect.booking_id)
        new = self._insert(scope, effect.slot_id, old.topic if old is not None else None)
        if old is not None:
            new.rescheduled_from_id = old.id
            self._mark_cancelled(scope, old, "rescheduled")
        scope.session.flush()
        self.listeners.changed(scope.session, new, scope.now)

    def cancel(self, scope: EffectScope, effect: CancelMeeting) -> None:
        booking = self._own_active(scope, effect.booking_id)
        if booking is not None:
            self._mark_cancelled(scope, booking, effect.reason)

    def _own_active(self, scope: EffectScope, booking_id: int) -> Booking | None:
        booking = scope.session.get(Booking, booking_id)
        if booking is None or booking.citizen_id != scope.citizen_id:
            return None
        return booking if booking.status in ACTIVE_BOOKING_STATUSES else None

    def _mark_cancelled(self, scope: EffectScope, booking: Booking, reason: str) -> None:
        booking.status = BookingStatus.CANCELLED.value
        booking.cancelled_at = scope.now
        booking.cancel_reason = reason
        scope.session.flush()
        self.listeners.changed(scope.session, booking, scope.now)

    # Privacy -----------------------------------------------------------------------------------

    def delete_citizen_data(self, scope: EffectScope, effect: DeleteCitizenData) -> None:
        """Delete what the citizen told us; keep bookings, detached, for statistics.

        The confirming message and the bot's answer to it stay in the current conversation:
        the dispatcher links the reply to that message in the same transaction.
        """
        session = scope.session
        session.flush()
        confirming = session.scalar(
            select(func.max(Message.id)).where(
                Message.conversation_id == scope.conversation_id,
                Message.direction == Direction.IN.value,
            )
        )
        erase_citizen_data(
            session,
            scope.citizen,
            scope.now,
            self.listeners,
            keep_conversation_id=scope.conversation_id,
            keep_message_id=confirming,
        )
        scope.conversation.handoff_summary = None


def record_absence(scope: EffectScope, effect: RecordAbsence) -> None:
    scope.session.add(
        AbsenceNotice(
            citizen_id=scope.citizen_id,
            conversation_id=scope.conversation_id,
            reported_at=scope.now,
            starts_on=effect.starts_on,
            ends_on=effect.ends_on,
            reason=effect.reason,
            activity=effect.activity,
            note=effect.note,
        )
    )


def record_recovery(scope: EffectScope, effect: RecordRecovery) -> None:
    """End the citizen's open absence notices: the consultant sees when they were well again."""
    notices = scope.session.scalars(
        select(AbsenceNotice).where(
            AbsenceNotice.citizen_id == scope.citizen_id,
            AbsenceNotice.starts_on <= effect.ends_on,
            or_(AbsenceNotice.ends_on.is_(None), AbsenceNotice.ends_on > effect.ends_on),
        )
    ).all()
    for notice in notices:
        notice.ends_on = effect.ends_on


def save_job_profile(scope: EffectScope, effect: SaveJobProfile) -> None:
    session = scope.session
    profile = session.scalars(
        select(JobProfile).where(JobProfile.citizen_id == scope.citizen_id)
    ).first()
    if profile is None:
        profile = JobProfile(citizen_id=scope.citizen_id)
        session.add(profile)
    profile.kinds_of_work = list(effect.kinds_of_work)
    profile.hours_per_week = effect.hours_per_week
    profile.days = list(effect.days)
    profile.cannot_do = effect.cannot_do
    details = {key: value for key, value in (profile.details or {}).items() if key != "hours_to"}
    if effect.hours_per_week_to is not None:
        details["hours_to"] = effect.hours_per_week_to
    profile.details = details
    profile.updated_at = scope.now


def opt_out_of_reminders(scope: EffectScope, effect: OptOutOfReminders) -> None:
    scope.citizen.reminders_opted_out = True
