"""What every inbox page shares: the services, the logged-in viewer, rendering with the
inbox's words, and running a page or a form action in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import Session

from bot.inbox import auth
from bot.inbox.auth import CookieSigner, Viewer
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

PACKAGE_DIR = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=PACKAGE_DIR / "templates")


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def zone_of(request: Request) -> ZoneInfo:
    return services_of(request).config.settings.tz


def signer_of(request: Request) -> CookieSigner:
    signer: CookieSigner | None = getattr(request.app.state, "inbox_signer", None)
    if signer is None:
        signer = CookieSigner(auth.load_secret_key(services_of(request).config))
        request.app.state.inbox_signer = signer
    return signer


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def inbox_text(request: Request) -> InboxText:
    return InboxText(services_of(request).config.settings.locale.inbox_language)


# The filters read the zone and the words from the page's context (set by render), so two
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


def render(
    request: Request,
    name: str,
    viewer: Viewer | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    text = inbox_text(request)
    csrf = signer_of(request).csrf_token(viewer.session_token) if viewer else ""
    context.update(
        text=text,
        t=text.markup,
        lang=text.language,
        tz=zone_of(request),
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


def viewer_of(request: Request, db: Session) -> Viewer | None:
    token = signer_of(request).unsign(request.cookies.get(auth.SESSION_COOKIE))
    return auth.viewer_for(db, token, services_of(request).clock.now())


def to_login() -> RedirectResponse:
    return RedirectResponse("/inbox/login", status_code=303)


def back_to(url: str, *, notice: str = "", error: str = "") -> RedirectResponse:
    if notice:
        url += ("&" if "?" in url else "?") + "notice=" + quote(notice)
    if error:
        url += ("&" if "?" in url else "?") + "error=" + quote(error)
    return RedirectResponse(url, status_code=303)


def forbidden(request: Request, viewer: Viewer | None, why_key: str) -> HTMLResponse:
    return render(
        request, "error.html", viewer, status_code=403, message=inbox_text(request)(why_key)
    )


def explain(request: Request, error: InboxError) -> str:
    return inbox_text(request)(error.key, **error.params)


PageHandler = Callable[[Session, Viewer], Response]


def run_page(request: Request, handler: PageHandler, *, admin: bool = False) -> Response:
    """Run a GET page for a logged-in consultant, in one transaction."""
    with transaction(services_of(request).session_factory) as db:
        viewer = viewer_of(request, db)
        if viewer is None:
            return to_login()
        if admin and not viewer.is_admin:
            return forbidden(request, viewer, "errors.admins_only")
        try:
            return handler(db, viewer)
        except InboxError as exc:
            return render(
                request, "error.html", viewer, status_code=404, message=explain(request, exc)
            )


def run_action(
    request: Request,
    csrf_token: str,
    handler: PageHandler,
    *,
    back: str,
    admin: bool = False,
) -> Response:
    """Run a POST for a logged-in consultant with a valid CSRF token; errors go back as text."""
    services = services_of(request)
    with services.session_factory() as db:
        with db.begin():
            viewer = viewer_of(request, db)
            if viewer is None:
                return to_login()
            if not signer_of(request).csrf_valid(viewer.session_token, csrf_token):
                return forbidden(request, viewer, "errors.form_expired")
            if admin and not viewer.is_admin:
                return forbidden(request, viewer, "errors.admins_only")
        try:
            with db.begin():
                return handler(db, viewer)
        except InboxError as exc:
            return back_to(back, error=explain(request, exc))
