"""A citizen's page: absence notices, job wishes, bookings, conversations, the check-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.reminders.planning import ReminderPlanner
from bot.domain.reminders.policy import ReminderPolicy
from bot.inbox import audit, conversations, schedule
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.auth import Viewer
from bot.inbox.conversations import InboxError
from bot.inbox.pages.rendering import (
    back_to,
    inbox_text,
    render,
    run_action,
    run_page,
    services_of,
)
from bot.store.models import (
    AbsenceNotice,
    CheckIn,
    Citizen,
    Conversation,
    JobProfile,
)

router = APIRouter(prefix="/inbox", include_in_schema=False)


@router.get("/citizens/{citizen_id}")
def citizen_page(request: Request, citizen_id: int) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        citizen = db.scalars(
            select(Citizen).where(Citizen.id == citizen_id, conversations.visible_citizens(viewer))
        ).first()
        if citizen is None:
            raise InboxError("errors.citizen_not_found")
        audit.record(
            db,
            viewer,
            AuditAction.VIEW_CITIZEN,
            AuditObject.CITIZEN,
            citizen_id,
            services_of(request).clock.now(),
            citizen_id=citizen_id,
        )
        return render(
            request,
            "citizen.html",
            viewer,
            citizen=citizen,
            absences=list(
                db.scalars(
                    select(AbsenceNotice)
                    .where(AbsenceNotice.citizen_id == citizen_id)
                    .order_by(AbsenceNotice.reported_at.desc())
                )
            ),
            profile=db.scalars(
                select(JobProfile).where(JobProfile.citizen_id == citizen_id)
            ).first(),
            bookings=schedule.citizen_bookings(db, citizen_id),
            check_in=db.scalars(
                select(CheckIn).where(CheckIn.citizen_id == citizen_id, CheckIn.active)
            ).first(),
            past=list(
                db.scalars(
                    select(Conversation)
                    .where(Conversation.citizen_id == citizen_id)
                    .order_by(Conversation.created_at.desc())
                )
            ),
        )

    return run_page(request, handler)


@router.post("/citizens/{citizen_id}/check-in")
def set_check_in(
    request: Request,
    citizen_id: int,
    weeks: Annotated[str, Form(max_length=3)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Start, change or (empty ``weeks``) stop the citizen's "Hvordan går det?" check-in."""
    back = f"/inbox/citizens/{citizen_id}"

    def handler(db: Session, viewer: Viewer) -> Response:
        citizen = db.scalars(
            select(Citizen).where(Citizen.id == citizen_id, conversations.visible_citizens(viewer))
        ).first()
        if citizen is None:
            raise InboxError("errors.citizen_not_found")
        every = int(weeks) if weeks.strip().isdigit() else None
        if weeks.strip() and (every is None or not 1 <= every <= 52):
            raise InboxError("errors.check_in_weeks")
        services = services_of(request)
        now = services.clock.now()
        planner = ReminderPlanner(ReminderPolicy.from_settings(services.config.settings))
        planner.set_check_in(db, citizen, every, now, consultant_id=viewer.id)
        audit.record(
            db,
            viewer,
            AuditAction.SET_CHECK_IN,
            AuditObject.CITIZEN,
            citizen_id,
            now,
            citizen_id=citizen_id,
        )
        text = inbox_text(request)
        if every is None:
            return back_to(back, notice=text("notices.check_in_stopped"))
        return back_to(back, notice=text("notices.check_in_set", weeks=every))

    return run_action(request, csrf_token, handler, back=back)
