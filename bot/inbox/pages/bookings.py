"""The day's bookings (met, no-show, cancelled) and the no-show statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from bot.inbox import audit, schedule, statistics
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.auth import Viewer
from bot.inbox.chart import Series, bar_chart
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


def _parse_day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


@router.get("/bookings")
def bookings_page(request: Request, day: Annotated[str | None, Query()] = None) -> Response:
    tz = zone_of(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        today = services_of(request).clock.now().astimezone(tz).date()
        shown = _parse_day(day, today)
        return render(
            request,
            "bookings.html",
            viewer,
            day=shown,
            previous=shown - timedelta(days=1),
            next=shown + timedelta(days=1),
            bookings=schedule.day_bookings(db, viewer, shown, tz),
            markable=[status.value for status in schedule.MARKABLE],
        )

    return run_page(request, handler)


@router.post("/bookings/{booking_id}/mark")
def mark_booking(
    request: Request,
    booking_id: int,
    status: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    services = services_of(request)
    back = f"/inbox/bookings?day={quote(day)}" if day else "/inbox/bookings"

    def handler(db: Session, viewer: Viewer) -> Response:
        now = services.clock.now()
        booking = schedule.mark_booking(
            db, viewer, booking_id, status, now, services.booking_listeners
        )
        audit.record(
            db,
            viewer,
            AuditAction.MARK_BOOKING,
            AuditObject.BOOKING,
            booking_id,
            now,
            citizen_id=booking.citizen_id,
            status=status,
        )
        return back_to(back, notice=inbox_text(request)("notices.booking_updated"))

    return run_action(request, csrf_token, handler, back=back)


@router.get("/statistics")
def statistics_page(request: Request) -> Response:
    services = services_of(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        text = inbox_text(request)
        stats = statistics.booking_statistics(
            db, viewer, services.clock.now(), zone_of(request), text
        )

        def chart(title_key: str, rows: list[statistics.Rates]) -> Markup:
            return bar_chart(
                text(title_key),
                [r.label for r in rows],
                [
                    Series(text("statistics.no_show"), "#c0392b", [r.no_show_rate for r in rows]),
                    Series(
                        text("statistics.cancelled"),
                        "#2471a3",
                        [r.cancellation_rate for r in rows],
                    ),
                ],
            )

        week_chart = chart("statistics.chart_per_week", stats.by_week)
        policy_chart = chart("statistics.chart_per_policy", stats.by_policy)
        return render(
            request,
            "statistics.html",
            viewer,
            stats=stats,
            week_chart=week_chart,
            policy_chart=policy_chart,
        )

    return run_page(request, handler)
