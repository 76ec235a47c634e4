"""The day's bookings, and marking one attended, no-show or cancelled (audited)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Query
from fastapi.responses import Response

from bot.inbox import schedule
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
from bot.inbox.routes.visible import BookingId
from bot.kernel.bounds import day_in_range

router = section_router()


def _parse_day(value: str | None, fallback: date) -> date:
    """The day asked for; today for none, or one that is no date in range."""
    try:
        day = date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback
    return day if day_in_range(day) else fallback


@router.get("/bookings")
def bookings_page(
    viewer: LoggedIn,
    db: Transaction,
    render: Render,
    services: ServicesDep,
    day: Annotated[str | None, Query()] = None,
) -> Response:
    tz = services.config.settings.tz
    shown = _parse_day(day, services.clock.now().astimezone(tz).date())
    return render(
        "bookings.html",
        viewer,
        day=shown,
        previous=shown - timedelta(days=1),
        next=shown + timedelta(days=1),
        bookings=schedule.day_bookings(db, viewer, shown, tz),
        markable=[status.value for status in schedule.MARKABLE],
    )


@router.post("/bookings/{booking_id}/mark")
def mark_booking(
    viewer: FormSender,
    booking_id: BookingId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    status: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
) -> Response:
    back = f"/inbox/bookings?day={quote(day)}" if day else "/inbox/bookings"
    with changes.transaction(back) as db:
        now = services.clock.now()
        booking = schedule.mark_booking(
            db, viewer, booking_id, status, now, services.booking_listeners
        )
        audit.record(
            AuditAction.MARK_BOOKING,
            AuditObject.BOOKING,
            booking_id,
            now,
            citizen_id=booking.citizen_id,
            status=status,
        )
    return see_other(back, notice=text("notices.booking_updated"))
