"""A citizen's page (absences, job profile, bookings, check-in, past conversations) and the
"Hvordan går det?" check-in set from it. Both are written to the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response
from sqlalchemy import select

from bot.domain.reminders.planning import ReminderPlanner
from bot.domain.reminders.policy import ReminderPolicy
from bot.inbox import citizen_care, conversations, schedule
from bot.inbox.attachments import files_by_notice
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.citizen_view import consent_by, last_seen
from bot.inbox.routes.depends import (
    Audit,
    ChangesDep,
    FormSender,
    LoggedIn,
    Render,
    ServicesDep,
    Text,
    Transaction,
    found_or_404,
    section_router,
    see_other,
)
from bot.inbox.routes.visible import CitizenId
from bot.inbox.scope import Scope
from bot.kernel.errors import InboxError
from bot.store.models import AbsenceNotice, CheckIn, Conversation, JobProfile

router = section_router()


@router.get("/citizens/{citizen_id}")
def citizen_page(
    citizen_id: CitizenId,
    viewer: LoggedIn,
    db: Transaction,
    render: Render,
    audit: Audit,
    services: ServicesDep,
) -> Response:
    within = Scope.reading(viewer)
    with found_or_404(render, viewer):
        citizen = conversations.visible_citizen(db, within, citizen_id)
    audit.record(
        AuditAction.VIEW_CITIZEN,
        AuditObject.CITIZEN,
        citizen_id,
        services.clock.now(),
        citizen_id=citizen_id,
    )
    absences = list(
        db.scalars(
            select(AbsenceNotice)
            .where(AbsenceNotice.citizen_id == citizen_id, within.absence_notices())
            .order_by(AbsenceNotice.reported_at.desc())
        )
    )
    return render(
        "citizen.html",
        viewer,
        citizen=citizen,
        absences=absences,
        notice_files=files_by_notice(db, [a.id for a in absences]),
        last_seen=last_seen(db, citizen),
        consent_by=consent_by(db, citizen),
        free_slots=citizen_care.bookable_slots(db, viewer, services.clock.now()),
        profile=db.scalars(select(JobProfile).where(JobProfile.citizen_id == citizen_id)).first(),
        bookings=schedule.citizen_bookings(db, citizen_id),
        check_in=db.scalars(
            select(CheckIn).where(CheckIn.citizen_id == citizen_id, CheckIn.active)
        ).first(),
        past=list(
            db.scalars(
                select(Conversation)
                .where(Conversation.citizen_id == citizen_id, within.conversations())
                .order_by(Conversation.created_at.desc())
            )
        ),
    )


@router.post("/citizens/{citizen_id}/check-in")
def set_check_in(
    viewer: FormSender,
    citizen_id: CitizenId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    weeks: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Start, change or (empty ``weeks``) stop the citizen's check-in."""
    back = f"/inbox/citizens/{citizen_id}"
    with changes.transaction(back) as db:
        citizen = conversations.visible_citizen(db, Scope.changing(viewer), citizen_id)
        every = int(weeks) if weeks.strip().isdigit() else None
        if weeks.strip() and (every is None or not 1 <= every <= 52):
            raise InboxError("errors.check_in_weeks")
        now = services.clock.now()
        planner = ReminderPlanner(ReminderPolicy.from_settings(services.config.settings))
        planner.set_check_in(db, citizen, every, now, consultant_id=viewer.id)
        audit.record(
            AuditAction.SET_CHECK_IN,
            AuditObject.CITIZEN,
            citizen_id,
            now,
            citizen_id=citizen_id,
        )
    if every is None:
        return see_other(back, notice=text("notices.check_in_stopped"))
    return see_other(back, notice=text("notices.check_in_set", weeks=every))
