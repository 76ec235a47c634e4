"""The queue: waiting conversations and the consultant's own, as a page and as a polled fragment."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.inbox import conversations
from bot.inbox.auth import Viewer
from bot.inbox.routes.depends import LoggedIn, Render, Transaction, section_router

router = section_router()


def _queue_context(db: Session, viewer: Viewer) -> dict[str, Any]:
    return {
        "waiting": conversations.waiting_queue(db, viewer),
        "mine": conversations.held_by(db, viewer),
    }


@router.get("")
def queue_page(viewer: LoggedIn, db: Transaction, render: Render) -> Response:
    return render("queue.html", viewer, **_queue_context(db, viewer))


@router.get("/queue.fragment")
def queue_fragment(viewer: LoggedIn, db: Transaction, render: Render) -> Response:
    return render("_queue.html", viewer, **_queue_context(db, viewer))
