"""Search, the "mine" view, and giving a conversation to a colleague. A search and an
assignment are audited like a page view and every other form."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from fastapi.responses import Response

from bot.inbox import conversations, finding
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.routes.conversation import Action
from bot.inbox.routes.depends import (
    Audit,
    LoggedIn,
    Render,
    ServicesDep,
    Text,
    Transaction,
    section_router,
    see_other,
)
from bot.inbox.scope import Scope
from bot.inbox.text import InboxText
from bot.kernel.bounds import row_id
from bot.kernel.errors import InboxError

router = section_router()


@router.get("/search")
def search_page(
    viewer: LoggedIn,
    db: Transaction,
    render: Render,
    audit: Audit,
    services: ServicesDep,
    text: Text,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Citizens by name, phone or Telegram name, and messages by their text."""
    if not q.strip():
        return render("search.html", viewer, q="", found=None)
    try:
        found = finding.search(db, viewer, q)
    except InboxError as exc:
        return render("search.html", viewer, q=q, found=None, error=_explain(text, exc))
    # What was looked for is not kept (it may be a phone number): only that a search was made
    # and how many it found.
    audit.record(
        AuditAction.SEARCH, AuditObject.CITIZEN, None, services.clock.now(), found=len(found)
    )
    return render("search.html", viewer, q=q, found=found)


def _explain(text: InboxText, error: InboxError) -> str:
    return text(error.key, **error.params)


@router.get("/mine")
def mine_page(viewer: LoggedIn, db: Transaction, render: Render) -> Response:
    """The conversations the viewer holds: taken, or given to them by a colleague."""
    return render("mine.html", viewer, mine=conversations.held_by(db, viewer))


@router.post("/conversations/{conversation_id}/assign")
def assign(
    action: Action,
    text: Text,
    consultant_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    colleague_id = row_id(consultant_id)
    with action.changes.transaction(back=action.page) as db:
        colleague = finding.assign(
            db, action.viewer, action.conversation_id, colleague_id or 0, action.now
        )
        conversation = conversations.visible_conversation(
            db, Scope.reading(action.viewer), action.conversation_id
        )
        action.audit.record(
            AuditAction.ASSIGN,
            AuditObject.CONVERSATION,
            action.conversation_id,
            action.now,
            citizen_id=conversation.citizen_id,
            to_consultant=colleague.id,
        )
        name = colleague.display_name
    return see_other("/inbox", notice=text("finding.assigned", name=name))
