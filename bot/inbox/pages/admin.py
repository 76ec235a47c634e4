"""Admins only: canned replies and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.inbox import audit, conversations
from bot.inbox.auth import Viewer
from bot.inbox.conversations import InboxError
from bot.inbox.pages.rendering import (
    back_to,
    inbox_text,
    render,
    run_action,
    run_page,
)
from bot.store.models import (
    CannedReply,
)

router = APIRouter(prefix="/inbox", include_in_schema=False)


@router.get("/canned")
def canned_page(request: Request) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return render(
            request, "canned.html", viewer, canned=conversations.canned_replies(db, viewer)
        )

    return run_page(request, handler, admin=True)


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
        return back_to("/inbox/canned", notice=inbox_text(request)("notices.canned_saved"))

    return run_action(request, csrf_token, handler, back="/inbox/canned", admin=True)


@router.post("/canned/{canned_id}/delete")
def delete_canned(
    request: Request, canned_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        row = db.get(CannedReply, canned_id)
        if row is None or row.team_id != viewer.team_id:
            raise InboxError("errors.canned_not_found")
        db.delete(row)
        return back_to("/inbox/canned", notice=inbox_text(request)("notices.canned_deleted"))

    return run_action(request, csrf_token, handler, back="/inbox/canned", admin=True)


@router.get("/audit")
def audit_page(request: Request, citizen: Annotated[int | None, Query()] = None) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return render(
            request,
            "audit.html",
            viewer,
            entries=audit.recent_entries(db, citizen_id=citizen),
            citizen_filter=citizen,
        )

    return run_page(request, handler, admin=True)
