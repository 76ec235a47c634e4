"""The queue of chats waiting for a person, and one conversation: claim, reply, note,
hand back, close."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox import audit, conversations
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
    Consultant,
    Conversation,
)

router = APIRouter(prefix="/inbox", include_in_schema=False)


@router.get("")
def queue_page(request: Request) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return render(request, "queue.html", viewer, **_queue_context(db, viewer))

    return run_page(request, handler)


@router.get("/queue.fragment")
def queue_fragment(request: Request) -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        return render(request, "_queue.html", viewer, **_queue_context(db, viewer))

    return run_page(request, handler)


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
            services_of(request).clock.now(),
            citizen_id=context["citizen"].id,
        )
        return render(
            request,
            "conversation.html",
            viewer,
            canned=conversations.canned_replies(db, viewer),
            **context,
        )

    return run_page(request, handler)


@router.get("/conversations/{conversation_id}/transcript.fragment")
def transcript_fragment(request: Request, conversation_id: int) -> Response:
    # Polled by the open conversation page: part of the view already audited.
    def handler(db: Session, viewer: Viewer) -> Response:
        context = _conversation_context(db, viewer, conversation_id)
        return render(request, "_transcript.html", viewer, **context)

    return run_page(request, handler)


def _conversation_action(
    request: Request,
    conversation_id: int,
    csrf_token: str,
    action: AuditAction,
    run: Callable[[Session, Viewer, datetime], str],
) -> Response:
    """``run`` does the action and returns the key of its notice."""
    back = f"/inbox/conversations/{conversation_id}"
    now = services_of(request).clock.now()
    text = inbox_text(request)

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
        return back_to(target, notice=notice)

    return run_action(request, csrf_token, handler, back=back)


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
    max_chars = services_of(request).config.settings.chat.max_text_chars

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
        conversations.hand_back(db, viewer, conversation_id, now, services_of(request).content)
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
