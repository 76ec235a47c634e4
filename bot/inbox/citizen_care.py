"""Knowing the citizen: their name and phone recorded with consent, a meeting booked for them,
and an absence notice annulled or corrected. The citizen is told what changed, in their
language, through the outbox (:func:`bot.inbox.notices.notify_citizen`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.booking_events import BookingListeners
from bot.inbox.auth import Viewer
from bot.inbox.citizen_names import danish_phone
from bot.inbox.notices import notify_citizen
from bot.inbox.schedule import _covered_by_exception  # one rule for "excepted", not two
from bot.inbox.scope import Scope
from bot.kernel.errors import InboxError, InvalidMessage
from bot.kernel.text import clean_text
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    AbsenceNotice,
    Booking,
    BookingStatus,
    Citizen,
    CitizenContact,
    Location,
    Slot,
)
from flows.content import Content

# The words the consultant confirms: the content key of the statement on the citizen's page.
CONSENT_STATEMENT = "contact.consent_statement"
BOOKABLE_DAYS = 21
BOOKABLE_LIMIT = 40


def save_contact(
    db: Session,
    viewer: Viewer,
    citizen: Citizen,
    *,
    name: str,
    phone: str,
    consented: bool,
    now: datetime,
) -> CitizenContact | None:
    """Record (or with both fields empty, remove) the citizen's name and phone number.

    Only with the citizen's consent, which the consultant confirms and which is kept with who
    and when; a phone number must be a Danish one."""
    name = " ".join(name.split())[:120]
    phone = phone.strip()
    if not name and not phone:
        if citizen.contact is not None:
            db.delete(citizen.contact)
            citizen.contact = None
        return None
    if not consented:
        raise InboxError("contact.consent_missing")
    number = danish_phone(phone) if phone else None
    if phone and number is None:
        raise InboxError("contact.phone_invalid")
    contact = citizen.contact
    if contact is None:
        contact = CitizenContact(citizen_id=citizen.id)
        db.add(contact)
        citizen.contact = contact
    contact.name = name or None
    contact.phone = number
    contact.consent_statement = CONSENT_STATEMENT
    contact.consent_by_id = viewer.id
    contact.consent_at = now
    contact.updated_at = now
    return contact


def bookable_slots(db: Session, viewer: Viewer, now: datetime) -> list[Slot]:
    """The team's free slots in the next weeks, outside exceptions, soonest first."""
    taken = exists().where(Booking.slot_id == Slot.id, Booking.status.in_(ACTIVE_BOOKING_STATUSES))
    return list(
        db.scalars(
            select(Slot)
            .join(Location, Location.id == Slot.location_id)
            .where(
                Location.team_id == viewer.team_id,
                Slot.starts_at > now,
                Slot.starts_at < now + timedelta(days=BOOKABLE_DAYS),
                ~taken,
                ~_covered_by_exception(viewer.team_id),
            )
            .order_by(Slot.starts_at, Slot.id)
            .limit(BOOKABLE_LIMIT)
        )
    )


def book_for_citizen(
    db: Session,
    viewer: Viewer,
    citizen: Citizen,
    slot_id: int,
    *,
    now: datetime,
    reminder_policy: str,
    tell_citizen: bool,
    content: Content,
    listeners: BookingListeners,
    tz: ZoneInfo,
) -> Booking:
    """Book one of the team's free slots for the citizen; the reminders follow the policy.

    ``tell_citizen``: send the booking's own message (when the policy sends no confirmation
    at booking, which would tell the citizen already)."""
    slot = next((s for s in bookable_slots(db, viewer, now) if s.id == slot_id), None)
    if slot is None:
        raise InboxError("contact.slot_gone")
    booking = Booking(
        citizen_id=citizen.id,
        slot_id=slot.id,
        consultant_id=slot.consultant_id,
        location_id=slot.location_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=BookingStatus.BOOKED.value,
        reminder_policy=reminder_policy,
        booked_via="inbox",
        created_at=now,
    )
    try:
        with db.begin_nested():  # a slot booked meanwhile meets the partial unique index
            db.add(booking)
    except IntegrityError as exc:
        raise InboxError("contact.slot_gone") from exc
    if citizen.team_id is None:
        citizen.team_id = viewer.team_id
    if citizen.contact_consultant_id is None:
        citizen.contact_consultant_id = slot.consultant_id
    listeners.changed(db, booking, now)
    if tell_citizen:
        local = slot.starts_at.astimezone(tz)
        text = content.text(
            citizen.language,
            "inbox_citizen.meeting_booked",
            date=local.strftime("%d.%m.%Y"),
            time=local.strftime("%H:%M"),
            location=slot.location.name,
        )
        notify_citizen(db, citizen, text, now)
    return booking


def visible_absence(db: Session, viewer: Viewer, notice_id: int) -> AbsenceNotice:
    notice = db.scalars(
        select(AbsenceNotice).where(
            AbsenceNotice.id == notice_id, Scope.changing(viewer).absence_notices()
        )
    ).first()
    if notice is None:
        raise InboxError("contact.absence_not_found")
    return notice


def _reason(typed: str) -> str:
    try:
        return clean_text(typed, max_chars=500)
    except InvalidMessage as exc:  # empty once cleaned
        raise InboxError("contact.reason_missing") from exc


def annul_absence(
    db: Session, viewer: Viewer, notice: AbsenceNotice, reason: str, now: datetime, content: Content
) -> None:
    """The notice was recorded wrongly: it stays (the audit shows it) but counts no more."""
    if notice.annulled_at is not None:
        raise InboxError("contact.absence_annulled_already")
    notice.change_reason = _reason(reason)
    notice.annulled_at = notice.changed_at = now
    notice.changed_by_id = viewer.id
    citizen = db.get(Citizen, notice.citizen_id)
    assert citizen is not None
    text = content.text(
        citizen.language,
        "inbox_citizen.absence_annulled",
        date=notice.starts_on.strftime("%d.%m.%Y"),
    )
    notify_citizen(db, citizen, text, now)


def correct_absence(
    db: Session,
    viewer: Viewer,
    notice: AbsenceNotice,
    *,
    starts_on: date,
    ends_on: date | None,
    reason: str,
    now: datetime,
    content: Content,
) -> None:
    if notice.annulled_at is not None:
        raise InboxError("contact.absence_annulled_already")
    if ends_on is not None and ends_on < starts_on:
        raise InboxError("errors.period_order")
    notice.change_reason = _reason(reason)
    notice.starts_on, notice.ends_on = starts_on, ends_on
    notice.changed_at = now
    notice.changed_by_id = viewer.id
    citizen = db.get(Citizen, notice.citizen_id)
    assert citizen is not None
    language = citizen.language
    text = content.text(
        language,
        "inbox_citizen.absence_corrected",
        starts=starts_on.strftime("%d.%m.%Y"),
        ends=ends_on.strftime("%d.%m.%Y")
        if ends_on
        else content.text(language, "inbox_citizen.absence_open_end"),
    )
    notify_citizen(db, citizen, text, now)
