"""The consultant inbox's pages under ``/inbox``: server-rendered, a few lines of polling JS.

Every page needs a login; every POST needs the CSRF token of the login session (or, for the
login form itself, of the pre-login cookie). A refused CSRF check answers 403 and changes
nothing. Views of conversations and citizen pages are written to the audit log. Every word a
consultant reads comes from ``bot/inbox/content`` in the language ``locale.inbox_language``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.reminders.planning import ReminderPlanner
from bot.domain.reminders.policy import ReminderPolicy
from bot.inbox import audit, auth, conversations, schedule, statistics
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.auth import CookieSigner, Viewer
from bot.inbox.chart import Series, bar_chart
from bot.inbox.conversations import InboxError
from bot.inbox.details import (
    AUDIT_DETAIL,
    HANDOFF_SUMMARY,
    JOB_PROFILE_DETAILS,
    DetailLine,
    Reading,
    detail_lines,
    number_text,
)
from bot.inbox.text import CODE_GROUPS, InboxText
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    CannedReply,
    CheckIn,
    Citizen,
    Consultant,
    Conversation,
    JobProfile,
)

PACKAGE_DIR = Path(__file__).resolve().parent
router = APIRouter(prefix="/inbox", include_in_schema=False)
templates = Jinja2Templates(directory=PACKAGE_DIR / "templates")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _tz(request: Request) -> ZoneInfo:
    return _services(request).config.settings.tz


def _signer(request: Request) -> CookieSigner:
    signer: CookieSigner | None = getattr(request.app.state, "inbox_signer", None)
    if signer is None:
        signer = CookieSigner(auth.load_secret_key(_services(request).config))
        request.app.state.inbox_signer = signer
    return signer


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _text(request: Request) -> InboxText:
    return InboxText(_services(request).config.settings.locale.inbox_language)


# The filters read the zone and the words from the page's context (set by _render), so two
# apps with different settings in one process (tests) never see each other's.
@pass_context
def _local(context: Context, moment: datetime | None, pattern: str = "%d.%m.%Y %H:%M") -> str:
    tz: ZoneInfo = context["tz"]
    return "" if moment is None else moment.astimezone(tz).strftime(pattern)


@pass_context
def _weekday(context: Context, moment: datetime) -> str:
    text: InboxText = context["text"]
    return text.weekday(moment, context["tz"])


def _code_label(group: str) -> Callable[[Context, object], str | list[str]]:
    """A code as a word; a list of codes (a job profile's kinds of work) as a list of words."""

    @pass_context
    def label(context: Context, code: object) -> str | list[str]:
        text: InboxText = context["text"]
        if isinstance(code, list | tuple):
            return [text.label(group, item) for item in code]
        return text.label(group, code)

    return label


def _detail_lines(reading: Reading) -> Callable[[Context, object], list[DetailLine]]:
    @pass_context
    def lines(context: Context, stored: object) -> list[DetailLine]:
        text: InboxText = context["text"]
        return detail_lines(stored, reading, text)

    return lines


@pass_context
def _chatbot_weekdays(context: Context, names: list[object]) -> list[str]:
    """A job profile's days, stored in the citizen's language, in the inbox's."""
    text: InboxText = context["text"]
    return [text.chatbot_weekday(name) for name in names]


@pass_context
def _number(context: Context, value: float) -> str:
    text: InboxText = context["text"]
    return number_text(value, text.language)


templates.env.filters["local"] = _local
templates.env.filters["number"] = _number
templates.env.filters["weekday"] = _weekday
templates.env.filters["chatbot_weekdays"] = _chatbot_weekdays
for _group in CODE_GROUPS:
    templates.env.filters[_group] = _code_label(_group)
# Stored mappings as lines of words: {% for line in c.handoff_summary|summary_lines %}.
templates.env.filters["summary_lines"] = _detail_lines(HANDOFF_SUMMARY)
templates.env.filters["audit_lines"] = _detail_lines(AUDIT_DETAIL)
templates.env.filters["job_profile_lines"] = _detail_lines(JOB_PROFILE_DETAILS)


def _render(
    request: Request,
    name: str,
    viewer: Viewer | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    text = _text(request)
    csrf = _signer(request).csrf_token(viewer.session_token) if viewer else ""
    context.update(
        text=text,
        t=text.markup,
        lang=text.language,
        tz=_tz(request),
        weekdays=text.weekdays(),
        viewer=viewer,
        csrf_token=csrf,
        notice=request.query_params.get("notice", "")[:200],
        error=context.get("error") or request.query_params.get("error", "")[:200],
    )
    response: HTMLResponse = templates.TemplateResponse(
        request, name, context, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _viewer(request: Request, db: Session) -> Viewer | None:
    token = _signer(request).unsign(request.cookies.get(auth.SESSION_COOKIE))
    return auth.viewer_for(db, token, _services(request).clock.now())


def _to_login() -> RedirectResponse:
    return RedirectResponse("/inbox/login", status_code=303)


def _back(url: str, *, notice: str = "", error: str = "") -> RedirectResponse:
    if notice:
        url += ("&" if "?" in url else "?") + "notice=" + quote(notice)
    if error:
        url += ("&" if "?" in url else "?") + "error=" + quote(error)
    return RedirectResponse(url, status_code=303)


def _forbidden(request: Request, viewer: Viewer | None, why_key: str) -> HTMLResponse:
    return _render(request, "error.html", viewer, status_code=403, message=_text(request)(why_key))


def _explain(request: Request, error: InboxError) -> str:
    return _text(request)(error.key, **error.params)


PageHandler = Callable[[Session, Viewer], Response]


def _page(request: Request, handler: PageHandler, *, admin: bool = False) -> Response:
    """Run a GET page for a logged-in consultant, in one transaction."""
    with transaction(_services(request).session_factory) as db:
        viewer = _viewer(request, db)
        if viewer is None:
            return _to_login()
        if admin and not viewer.is_admin:
            return _forbidden(request, viewer, "errors.admins_only")
        try:
            return handler(db, viewer)
        except InboxError as exc:
            return _render(
                request, "error.html", viewer, status_code=404, message=_explain(request, exc)
            )


def _action(
    request: Request,
    csrf_token: str,
    handler: PageHandler,
    *,
    back: str,
    admin: bool = False,
) -> Response:
    """Run a POST for a logged-in consultant with a valid CSRF token; errors go back as text."""
    services = _services(request)
    with services.session_factory() as db:
        with db.begin():
            viewer = _viewer(request, db)
            if viewer is None:
                return _to_login()
            if not _signer(request).csrf_valid(viewer.session_token, csrf_token):
                return _forbidden(request, viewer, "errors.form_expired")
            if admin and not viewer.is_admin:
                return _forbidden(request, viewer, "errors.admins_only")
        try:
            with db.begin():
                return handler(db, viewer)
        except InboxError as exc:
            return _back(back, error=_explain(request, exc))


# -- assets -------------------------------------------------------------------------------------


@router.get("/assets/{name}")
def asset(name: str) -> Response:
    if name not in ("inbox.css", "inbox.js"):
        return Response(status_code=404)
    return FileResponse(PACKAGE_DIR / "assets" / name, headers={"Cache-Control": "max-age=300"})


# -- login --------------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request) -> Response:
    nonce = request.cookies.get(auth.LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = _render(request, "login.html", None, login_csrf=_signer(request).csrf_token(nonce))
    response.set_cookie(
        auth.LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        path="/inbox",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    services = _services(request)
    signer = _signer(request)
    nonce = request.cookies.get(auth.LOGIN_COOKIE)
    if not signer.csrf_valid(nonce, csrf_token):
        return _forbidden(request, None, "errors.login_form_expired")
    assert nonce is not None
    now = services.clock.now()
    client = _client(request)
    text = _text(request)
    with transaction(services.session_factory) as db:
        if auth.too_many_failures(db, username.strip().lower(), client, now):
            return _render(
                request,
                "login.html",
                None,
                status_code=429,
                login_csrf=csrf_token,
                error=text("errors.too_many_attempts"),
                username=username,
            )
        consultant = auth.authenticate(db, username, password, client, now)
        if consultant is None:
            return _render(
                request,
                "login.html",
                None,
                status_code=401,
                login_csrf=csrf_token,
                error=text("errors.wrong_login"),
                username=username,
            )
        token = auth.start_session(db, consultant, now)
    response = RedirectResponse("/inbox", status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        signer.sign(token),
        httponly=True,
        samesite="lax",
        path="/inbox",
        secure=request.url.scheme == "https",
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(auth.LOGIN_COOKIE, path="/inbox")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        auth.end_session(db, viewer.session_token)
        response = _to_login()
        response.delete_cookie(auth.SESSION_COOKIE, path="/inbox")
        return response

    return _action(request, csrf_token, handler, back="/inbox")


# -- queue and conversations --------------------------------------------------------------------


@router.get("")
def queue_page(request: Request) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return _render(request, "queue.html", viewer, **_queue_context(db, viewer))

    return _page(request, handler)


@router.get("/queue.fragment")
def queue_fragment(request: Request) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return _render(request, "_queue.html", viewer, **_queue_context(db, viewer))

    return _page(request, handler)


def _queue_context(db: Session, viewer: Viewer) -> dict[str, Any]:
    return {
        "waiting": conversations.waiting_queue(db, viewer),
        "mine": conversations.held_by(db, viewer),
    }


def _conversation_context(db: Session, viewer: Viewer, conversation_id: int) -> dict[str, Any]:
    conversation = conversations.visible_conversation(db, viewer, conversation_id)
    names = {c.id: c.display_name for c in db.scalars(select(Consultant))}
    return {
        "conversation": conversation,
        "citizen": conversation.citizen,
        "messages": conversations.transcript(db, conversation_id),
        "notes": conversations.notes(db, conversation_id),
        "consultant_names": names,
        "holds_it": conversation.status == "consultant"
        and conversation.assigned_consultant_id == viewer.id,
    }


@router.get("/conversations/{conversation_id}")
def conversation_page(request: Request, conversation_id: int) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        context = _conversation_context(db, viewer, conversation_id)
        audit.record(
            db,
            viewer,
            AuditAction.VIEW_CONVERSATION,
            AuditObject.CONVERSATION,
            conversation_id,
            _services(request).clock.now(),
            citizen_id=context["citizen"].id,
        )
        return _render(
            request,
            "conversation.html",
            viewer,
            canned=conversations.canned_replies(db, viewer),
            **context,
        )

    return _page(request, handler)


@router.get("/conversations/{conversation_id}/transcript.fragment")
def transcript_fragment(request: Request, conversation_id: int) -> Response:
    # Polled by the open conversation page: part of the view already audited.
    def handler(db: Session, viewer: Viewer) -> Response:
        context = _conversation_context(db, viewer, conversation_id)
        return _render(request, "_transcript.html", viewer, **context)

    return _page(request, handler)


def _conversation_action(
    request: Request,
    conversation_id: int,
    csrf_token: str,
    action: AuditAction,
    run: Callable[[Session, Viewer, datetime], str],
) -> Response:
    """``run`` does the action and returns the key of its notice."""
    back = f"/inbox/conversations/{conversation_id}"
    now = _services(request).clock.now()
    text = _text(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        notice = text(run(db, viewer, now))
        conversation = db.get(Conversation, conversation_id)
        audit.record(
            db,
            viewer,
            action,
            AuditObject.CONVERSATION,
            conversation_id,
            now,
            citizen_id=conversation.citizen_id if conversation else None,
        )
        target = "/inbox" if action in (AuditAction.HAND_BACK, AuditAction.CLOSE) else back
        return _back(target, notice=notice)

    return _action(request, csrf_token, handler, back=back)


@router.post("/conversations/{conversation_id}/claim")
def claim(
    request: Request, conversation_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def run(db: Session, viewer: Viewer, now: datetime) -> str:
        if not conversations.claim(db, viewer, conversation_id, now):
            raise InboxError("errors.already_claimed")
        return "notices.claimed"

    return _conversation_action(request, conversation_id, csrf_token, AuditAction.CLAIM, run)


@router.post("/conversations/{conversation_id}/reply")
def reply(
    request: Request,
    conversation_id: int,
    text: Annotated[str, Form(max_length=20_000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    max_chars = _services(request).config.settings.chat.max_text_chars

    def run(db: Session, viewer: Viewer, now: datetime) -> str:
        conversations.reply(db, viewer, conversation_id, text, now, max_chars)
        return "notices.reply_sent"

    return _conversation_action(request, conversation_id, csrf_token, AuditAction.REPLY, run)


@router.post("/conversations/{conversation_id}/notes")
def add_note(
    request: Request,
    conversation_id: int,
    text: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def run(db: Session, viewer: Viewer, now: datetime) -> str:
        conversations.add_note(db, viewer, conversation_id, text, now)
        return "notices.note_saved"

    return _conversation_action(request, conversation_id, csrf_token, AuditAction.ADD_NOTE, run)


@router.post("/conversations/{conversation_id}/hand-back")
def hand_back(
    request: Request, conversation_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def run(db: Session, viewer: Viewer, now: datetime) -> str:
        conversations.hand_back(db, viewer, conversation_id, now, _services(request).content)
        return "notices.handed_back"

    return _conversation_action(request, conversation_id, csrf_token, AuditAction.HAND_BACK, run)


@router.post("/conversations/{conversation_id}/close")
def close(
    request: Request, conversation_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def run(db: Session, viewer: Viewer, now: datetime) -> str:
        conversations.close(db, viewer, conversation_id, now)
        return "notices.closed"

    return _conversation_action(request, conversation_id, csrf_token, AuditAction.CLOSE, run)


# -- citizen ------------------------------------------------------------------------------------


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
            _services(request).clock.now(),
            citizen_id=citizen_id,
        )
        return _render(
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

    return _page(request, handler)


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
        services = _services(request)
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
        text = _text(request)
        if every is None:
            return _back(back, notice=text("notices.check_in_stopped"))
        return _back(back, notice=text("notices.check_in_set", weeks=every))

    return _action(request, csrf_token, handler, back=back)


# -- bookings and statistics --------------------------------------------------------------------


def _parse_day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


@router.get("/bookings")
def bookings_page(request: Request, day: Annotated[str | None, Query()] = None) -> Response:
    tz = _tz(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        today = _services(request).clock.now().astimezone(tz).date()
        shown = _parse_day(day, today)
        return _render(
            request,
            "bookings.html",
            viewer,
            day=shown,
            previous=shown - timedelta(days=1),
            next=shown + timedelta(days=1),
            bookings=schedule.day_bookings(db, viewer, shown, tz),
            markable=[status.value for status in schedule.MARKABLE],
        )

    return _page(request, handler)


@router.post("/bookings/{booking_id}/mark")
def mark_booking(
    request: Request,
    booking_id: int,
    status: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    services = _services(request)
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
        return _back(back, notice=_text(request)("notices.booking_updated"))

    return _action(request, csrf_token, handler, back=back)


@router.get("/statistics")
def statistics_page(request: Request) -> Response:
    services = _services(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        text = _text(request)
        stats = statistics.booking_statistics(db, viewer, services.clock.now(), _tz(request), text)

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
        return _render(
            request,
            "statistics.html",
            viewer,
            stats=stats,
            week_chart=week_chart,
            policy_chart=policy_chart,
        )

    return _page(request, handler)


# -- slots, opening hours, exceptions -----------------------------------------------------------


@router.get("/slots")
def slots_page(request: Request) -> Response:
    services = _services(request)

    def handler(db: Session, viewer: Viewer) -> Response:
        now = services.clock.now()
        return _render(
            request,
            "slots.html",
            viewer,
            locations=schedule.team_locations(db, viewer),
            consultants=schedule.team_consultants(db, viewer),
            hours=schedule.opening_hours(db, viewer),
            slots=schedule.upcoming_slots(db, viewer, now),
            exceptions=schedule.exceptions(db, viewer, now),
            today=now.astimezone(_tz(request)).date(),
            upcoming_days=schedule.UPCOMING_SLOT_DAYS,
        )

    return _page(request, handler)


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
            tz=_tz(request),
        )
        audit.record(
            db,
            viewer,
            AuditAction.CREATE_SLOTS,
            AuditObject.SLOT,
            None,
            _services(request).clock.now(),
            created=len(plan.created),
            skipped=len(plan.skipped),
        )
        text = _text(request)
        notice = text("notices.slots_created", created=len(plan.created))
        if plan.skipped:
            notice += " " + text("notices.slots_skipped", skipped=len(plan.skipped))
        return _back("/inbox/slots", notice=notice)

    return _action(request, csrf_token, handler, back="/inbox/slots")


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
        return _back("/inbox/slots", notice=_text(request)("notices.hours_saved"))

    return _action(request, csrf_token, handler, back="/inbox/slots")


@router.post("/opening-hours/{hours_id}/delete")
def remove_opening_hours(
    request: Request, hours_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        schedule.remove_opening_hours(db, viewer, hours_id)
        return _back("/inbox/slots", notice=_text(request)("notices.hours_deleted"))

    return _action(request, csrf_token, handler, back="/inbox/slots")


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
    services = _services(request)
    tz = _tz(request)

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
        return _back(
            "/inbox/slots",
            notice=_text(request)(
                "notices.exception_saved",
                cancelled=len(result.cancelled),
                moved=len(result.moved),
                notified=result.notified,
            ),
        )

    return _action(request, csrf_token, handler, back="/inbox/slots")


# -- admin: canned replies, audit log -----------------------------------------------------------


@router.get("/canned")
def canned_page(request: Request) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return _render(
            request, "canned.html", viewer, canned=conversations.canned_replies(db, viewer)
        )

    return _page(request, handler, admin=True)


@router.post("/canned")
def add_canned(
    request: Request,
    title: Annotated[str, Form(max_length=80)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        if not title.strip() or not text.strip():
            raise InboxError("errors.canned_fields_missing")
        db.add(CannedReply(team_id=viewer.team_id, title=title.strip(), text=text.strip()))
        return _back("/inbox/canned", notice=_text(request)("notices.canned_saved"))

    return _action(request, csrf_token, handler, back="/inbox/canned", admin=True)


@router.post("/canned/{canned_id}/delete")
def delete_canned(
    request: Request, canned_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        row = db.get(CannedReply, canned_id)
        if row is None or row.team_id != viewer.team_id:
            raise InboxError("errors.canned_not_found")
        db.delete(row)
        return _back("/inbox/canned", notice=_text(request)("notices.canned_deleted"))

    return _action(request, csrf_token, handler, back="/inbox/canned", admin=True)


@router.get("/audit")
def audit_page(request: Request, citizen: Annotated[int | None, Query()] = None) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return _render(
            request,
            "audit.html",
            viewer,
            entries=audit.recent_entries(db, citizen_id=citizen),
            citizen_filter=citizen,
        )

    return _page(request, handler, admin=True)
