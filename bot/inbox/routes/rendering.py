"""The inbox's pages as HTML: the Jinja templates, their filters, and the render of one page.

Every page is rendered with the inbox's words (``InboxText``), the local time zone, the viewer
and their CSRF token, and is never cached or framed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from bot.inbox import citizen_names
from bot.inbox.auth import CookieSigner, Viewer
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

INBOX_DIR = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=INBOX_DIR / "templates")


# The filters read the zone and the words from the page's context (set by Renderer), so two
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
templates.env.filters["citizen_name"] = citizen_names.full_name
templates.env.filters["citizen_masked"] = citizen_names.masked_name
templates.env.filters["citizen_phone"] = citizen_names.phone_number
templates.env.filters["citizen_phone_masked"] = citizen_names.masked_phone
templates.env.filters["number"] = _number
templates.env.filters["weekday"] = _weekday
templates.env.filters["chatbot_weekdays"] = _chatbot_weekdays
for _group in CODE_GROUPS:
    templates.env.filters[_group] = _code_label(_group)
# Stored mappings as lines of words: {% for line in c.handoff_summary|summary_lines %}.
templates.env.filters["summary_lines"] = _detail_lines(HANDOFF_SUMMARY)
templates.env.filters["audit_lines"] = _detail_lines(AUDIT_DETAIL)
templates.env.filters["job_profile_lines"] = _detail_lines(JOB_PROFILE_DETAILS)


@dataclass(frozen=True, slots=True)
class Renderer:
    """Renders the templates of one request."""

    request: Request
    text: InboxText
    signer: CookieSigner
    tz: ZoneInfo

    def __call__(
        self, name: str, viewer: Viewer | None, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        text = self.text
        query = self.request.query_params
        context.update(
            text=text,
            t=text.markup,
            lang=text.language,
            tz=self.tz,
            weekdays=text.weekdays(),
            viewer=viewer,
            csrf_token=self.signer.csrf_token(viewer.session_token) if viewer else "",
            notice=query.get("notice", "")[:200],
            error=context.get("error") or query.get("error", "")[:200],
        )
        response: HTMLResponse = templates.TemplateResponse(
            self.request, name, context, status_code=status_code
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def error(self, viewer: Viewer | None, status_code: int, message: str) -> HTMLResponse:
        return self("error.html", viewer, status_code=status_code, message=message)

    def forbidden(self, viewer: Viewer | None, why_key: str) -> HTMLResponse:
        return self.error(viewer, 403, self.text(why_key))
