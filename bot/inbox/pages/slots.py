"""Opening hours, meeting slots and exceptions."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.inbox import audit, schedule
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
    zone_of,
)

router = APIRouter(prefix="/inbox", include_in_schema=False)


@router.get("/slots")
def slots_page(request: Request) -> Response:
    services = services_of(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        now = services.clock.now()
        return render(
            request,
            "slots.html",
            viewer,
            locations=schedule.team_locations(db, viewer),
            consultants=schedule.team_consultants(db, viewer),
            hours=schedule.opening_hours(db, viewer),
            slots=schedule.upcoming_slots(db, viewer, now),
            exceptions=schedule.exceptions(db, viewer, now),
            today=now.astimezone(zone_of(request)).date(),
            upcoming_days=schedule.UPCOMING_SLOT_DAYS,
        )

    return run_page(request, handler)


def _parse_time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise InboxError("errors.time_format") from exc


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InboxError("errors.date_format") from exc


def _int_or_none(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InboxError("errors.invalid_choice") from exc


@router.post("/slots")
def create_slots(
    request: Request,
    consultant_id: Annotated[str, Form()] = "",
    location_id: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    starts: Annotated[str, Form()] = "",
    minutes: Annotated[str, Form()] = "45",
    weeks: Annotated[str, Form()] = "1",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        consultant, location = _int_or_none(consultant_id), _int_or_none(location_id)
        length, repeat = _int_or_none(minutes), _int_or_none(weeks)
        if consultant is None or location is None or length is None or repeat is None:
            raise InboxError("errors.slot_fields_missing")
        plan = schedule.create_slots(
            db,
            viewer,
            consultant_id=consultant,
            location_id=location,
            first_day=_parse_date(day),
            starts=_parse_time(starts),
            minutes=length,
            weeks=repeat,
            tz=zone_of(request),
        )
        audit.record(
            db,
            viewer,
            AuditAction.CREATE_SLOTS,
            AuditObject.SLOT,
            None,
            services_of(request).clock.now(),
            created=len(plan.created),
            skipped=len(plan.skipped),
        )
        text = inbox_text(request)
        notice = text("notices.slots_created", created=len(plan.created))
        if plan.skipped:
            notice += " " + text("notices.slots_skipped", skipped=len(plan.skipped))
        return back_to("/inbox/slots", notice=notice)

    return run_action(request, csrf_token, handler, back="/inbox/slots")


@router.post("/opening-hours")
def add_opening_hours(
    request: Request,
    location_id: Annotated[str, Form()] = "",
    weekday: Annotated[str, Form()] = "",
    opens: Annotated[str, Form()] = "",
    closes: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        location, day = _int_or_none(location_id), _int_or_none(weekday)
        if location is None or day is None:
            raise InboxError("errors.location_and_weekday")
        schedule.add_opening_hours(
            db, viewer, location, day, _parse_time(opens), _parse_time(closes)
        )
        return back_to("/inbox/slots", notice=inbox_text(request)("notices.hours_saved"))

    return run_action(request, csrf_token, handler, back="/inbox/slots")


@router.post("/opening-hours/{hours_id}/delete")
def remove_opening_hours(
    request: Request, hours_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        schedule.remove_opening_hours(db, viewer, hours_id)
        return back_to("/inbox/slots", notice=inbox_text(request)("notices.hours_deleted"))

    return run_action(request, csrf_token, handler, back="/inbox/slots")


@router.post("/exceptions")
def add_exception(
    request: Request,
    first_day: Annotated[str, Form()] = "",
    last_day: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    location_id: Annotated[str, Form()] = "",
    consultant_id: Annotated[str, Form()] = "",
    move: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    services = services_of(request)
    tz = zone_of(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        first = _parse_date(first_day)
        last = _parse_date(last_day) if last_day.strip() else first
        now = services.clock.now()
        result = schedule.add_exception(
            db,
            viewer,
            starts_at=schedule.local_to_utc(first, time(0), tz),
            ends_at=schedule.local_to_utc(last + timedelta(days=1), time(0), tz),
            reason=reason,
            location_id=_int_or_none(location_id),
            consultant_id=_int_or_none(consultant_id),
            now=now,
            content=services.content,
            listeners=services.booking_listeners,
            tz=tz,
            move=move == "on",
        )
        audit.record(
            db,
            viewer,
            AuditAction.ADD_EXCEPTION,
            AuditObject.SLOT_EXCEPTION,
            result.exception.id,
            now,
            cancelled=[b.id for b in result.cancelled],
            moved=[[old.id, new.id] for old, new in result.moved],
        )
        return back_to(
            "/inbox/slots",
            notice=inbox_text(request)(
                "notices.exception_saved",
                cancelled=len(result.cancelled),
                moved=len(result.moved),
                notified=result.notified,
            ),
        )

    return run_action(request, csrf_token, handler, back="/inbox/slots")
