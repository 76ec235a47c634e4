"""The slots page: consultants' slots, locations' opening hours, and exceptions (periods without
meetings, whose bookings are moved or cancelled). Every change is audited."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from fastapi import Form, Query
from fastapi.responses import Response

from bot.inbox import schedule, week_view
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.routes.depends import (
    Audit,
    ChangesDep,
    FormSender,
    LoggedIn,
    Render,
    ServicesDep,
    Text,
    Transaction,
    section_router,
    see_other,
)
from bot.inbox.routes.visible import OpeningHoursId
from bot.inbox.staff_text import with_cpr_notice
from bot.kernel.bounds import day_in_range, row_id
from bot.kernel.cpr import mask_cpr
from bot.kernel.errors import InboxError

router = section_router()
PAGE = "/inbox/slots"


def _parse_time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise InboxError("errors.time_format") from exc


def _parse_date(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise InboxError("errors.date_format") from exc
    if not day_in_range(day):
        raise InboxError("errors.date_format")
    return day


def _int_or_none(value: str, minimum: int = 1) -> int | None:
    """A form's id or count: None when empty; refused when it is no number a column holds."""
    if not value.strip():
        return None
    number = row_id(value, minimum)
    if number is None:
        raise InboxError("errors.invalid_choice")
    return number


@router.get("/slots")
def slots_page(
    viewer: LoggedIn,
    db: Transaction,
    render: Render,
    services: ServicesDep,
    week: Annotated[str, Query(max_length=4)] = "0",
) -> Response:
    now = services.clock.now()
    tz = services.config.settings.tz
    return render(
        "slots.html",
        viewer,
        locations=schedule.team_locations(db, viewer),
        consultants=schedule.team_consultants(db, viewer),
        hours=schedule.opening_hours(db, viewer),
        week=week_view.team_week(db, viewer, now, tz, week_view.week_offset(week)),
        exceptions=schedule.exceptions(db, viewer, now),
        today=now.astimezone(services.config.settings.tz).date(),
    )


@router.post("/slots")
def create_slots(
    viewer: FormSender,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    consultant_id: Annotated[str, Form()] = "",
    location_id: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    starts: Annotated[str, Form()] = "",
    minutes: Annotated[str, Form()] = "45",
    weeks: Annotated[str, Form()] = "1",
) -> Response:
    with changes.transaction(PAGE) as db:
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
            tz=services.config.settings.tz,
        )
        audit.record(
            AuditAction.CREATE_SLOTS,
            AuditObject.SLOT,
            None,
            services.clock.now(),
            created=len(plan.created),
            skipped=len(plan.skipped),
        )
    notice = text("notices.slots_created", created=len(plan.created))
    if plan.skipped:
        notice += " " + text("notices.slots_skipped", skipped=len(plan.skipped))
    return see_other(PAGE, notice=notice)


@router.post("/opening-hours")
def add_opening_hours(
    viewer: FormSender,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    location_id: Annotated[str, Form()] = "",
    weekday: Annotated[str, Form()] = "",
    opens: Annotated[str, Form()] = "",
    closes: Annotated[str, Form()] = "",
) -> Response:
    with changes.transaction(PAGE) as db:
        location, day = _int_or_none(location_id), _int_or_none(weekday, minimum=0)
        if location is None or day is None:
            raise InboxError("errors.location_and_weekday")
        hours = schedule.add_opening_hours(
            db, viewer, location, day, _parse_time(opens), _parse_time(closes)
        )
        db.flush()
        audit.record(
            AuditAction.ADD_OPENING_HOURS,
            AuditObject.OPENING_HOURS,
            hours.id,
            services.clock.now(),
            location=location,
            weekday=day,
            opens=hours.opens.strftime("%H:%M"),
            closes=hours.closes.strftime("%H:%M"),
        )
    return see_other(PAGE, notice=text("notices.hours_saved"))


@router.post("/opening-hours/{hours_id}/delete")
def remove_opening_hours(
    viewer: FormSender,
    hours_id: OpeningHoursId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
) -> Response:
    with changes.transaction(PAGE) as db:
        schedule.remove_opening_hours(db, viewer, hours_id)
        audit.record(
            AuditAction.DELETE_OPENING_HOURS,
            AuditObject.OPENING_HOURS,
            hours_id,
            services.clock.now(),
        )
    return see_other(PAGE, notice=text("notices.hours_deleted"))


@router.post("/exceptions")
def add_exception(
    viewer: FormSender,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    first_day: Annotated[str, Form()] = "",
    last_day: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    location_id: Annotated[str, Form()] = "",
    consultant_id: Annotated[str, Form()] = "",
    move: Annotated[str, Form()] = "",
) -> Response:
    tz = services.config.settings.tz
    typed_reason = mask_cpr(reason)  # the reason is also a cancelled booking's reason
    with changes.transaction(PAGE) as db:
        first = _parse_date(first_day)
        last = _parse_date(last_day) if last_day.strip() else first
        starts_at, ends_at = schedule.local_days(first, last, tz)
        now = services.clock.now()
        result = schedule.add_exception(
            db,
            viewer,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=typed_reason.text,
            location_id=_int_or_none(location_id),
            consultant_id=_int_or_none(consultant_id),
            now=now,
            content=services.content,
            listeners=services.booking_listeners,
            tz=tz,
            move=move == "on",
        )
        audit.record(
            AuditAction.ADD_EXCEPTION,
            AuditObject.SLOT_EXCEPTION,
            result.exception.id,
            now,
            cancelled=[b.id for b in result.cancelled],
            moved=[[old.id, new.id] for old, new in result.moved],
        )
    saved = text(
        "notices.exception_saved",
        cancelled=len(result.cancelled),
        moved=len(result.moved),
        notified=result.notified,
    )
    return see_other(PAGE, notice=with_cpr_notice(text, saved, typed_reason))
