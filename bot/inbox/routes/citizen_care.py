"""The citizen page's forms: name and phone with consent, a meeting booked for the citizen,
an absence notice annulled or corrected. Each is audited; the citizen is told what changed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from bot.inbox import citizen_care, conversations
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.auth import Viewer
from bot.inbox.routes.depends import (
    Audit,
    Changes,
    ChangesDep,
    FormSender,
    ServicesDep,
    Text,
    section_router,
    see_other,
)
from bot.inbox.routes.visible import AbsenceId, CitizenId
from bot.inbox.scope import Scope
from bot.kernel.bounds import day_in_range, row_id
from bot.kernel.cpr import mask_cpr
from bot.kernel.errors import InboxError

router = section_router()


def _page(citizen_id: int) -> str:
    return f"/inbox/citizens/{citizen_id}"


@router.post("/citizens/{citizen_id}/contact")
def save_contact(
    viewer: FormSender,
    citizen_id: CitizenId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    name: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    consent: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    now = services.clock.now()
    with changes.transaction(_page(citizen_id)) as db:
        citizen = conversations.visible_citizen(db, Scope.changing(viewer), citizen_id)
        saved = citizen_care.save_contact(
            db,
            viewer,
            citizen,
            name=mask_cpr(name).text,
            phone=phone,
            consented=consent == "yes",
            now=now,
        )
        # Who recorded it and when is the consent; the name and number stay out of the log.
        audit.record(
            AuditAction.SAVE_CONTACT,
            AuditObject.CITIZEN,
            citizen_id,
            now,
            citizen_id=citizen_id,
            removed=saved is None,
        )
    key = "contact.saved" if saved is not None else "contact.removed"
    return see_other(_page(citizen_id), notice=text(key))


@router.post("/citizens/{citizen_id}/book")
def book_for_citizen(
    viewer: FormSender,
    citizen_id: CitizenId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    slot_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    now = services.clock.now()
    settings = services.config.settings
    with changes.transaction(_page(citizen_id)) as db:
        citizen = conversations.visible_citizen(db, Scope.changing(viewer), citizen_id)
        booking = citizen_care.book_for_citizen(
            db,
            viewer,
            citizen,
            row_id(slot_id) or 0,
            now=now,
            reminder_policy=settings.reminders.policy,
            tell_citizen=not settings.reminders.confirmation_at_booking,
            content=services.content,
            listeners=services.booking_listeners,
            tz=settings.tz,
        )
        audit.record(
            AuditAction.BOOK_FOR_CITIZEN,
            AuditObject.BOOKING,
            booking.id,
            now,
            citizen_id=citizen_id,
        )
    return see_other(_page(citizen_id), notice=text("contact.booked"))


def _absence_page(changes: Changes, viewer: Viewer, notice_id: int) -> str:
    """The page of the notice's citizen, to return to (the id is in the viewer's scope)."""
    with changes.transaction("/inbox") as db:
        return _page(citizen_care.visible_absence(db, viewer, notice_id).citizen_id)


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InboxError("errors.date_format") from exc
    if not day_in_range(day):
        raise InboxError("errors.date_format")
    return day


@router.post("/absences/{notice_id}/annul")
def annul_absence(
    viewer: FormSender,
    notice_id: AbsenceId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    now = services.clock.now()
    back = _absence_page(changes, viewer, notice_id)
    with changes.transaction(back) as db:
        notice = citizen_care.visible_absence(db, viewer, notice_id)
        citizen_care.annul_absence(db, viewer, notice, mask_cpr(reason).text, now, services.content)
        audit.record(
            AuditAction.ANNUL_ABSENCE,
            AuditObject.ABSENCE_NOTICE,
            notice_id,
            now,
            citizen_id=notice.citizen_id,
        )
    return see_other(back, notice=text("contact.absence_annulled"))


@router.post("/absences/{notice_id}/correct")
def correct_absence(
    viewer: FormSender,
    notice_id: AbsenceId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    starts_on: Annotated[str, Form(max_length=10)] = "",
    ends_on: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    now = services.clock.now()
    back = _absence_page(changes, viewer, notice_id)
    with changes.transaction(back) as db:
        notice = citizen_care.visible_absence(db, viewer, notice_id)
        citizen_care.correct_absence(
            db,
            viewer,
            notice,
            starts_on=_day(starts_on),
            ends_on=_day(ends_on) if ends_on.strip() else None,
            reason=mask_cpr(reason).text,
            now=now,
            content=services.content,
        )
        audit.record(
            AuditAction.CORRECT_ABSENCE,
            AuditObject.ABSENCE_NOTICE,
            notice_id,
            now,
            citizen_id=notice.citizen_id,
        )
    return see_other(back, notice=text("contact.absence_corrected"))
