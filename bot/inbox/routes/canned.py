"""Canned replies: the team's ready answers, kept by its admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from bot.inbox import conversations
from bot.inbox.routes.depends import (
    Admin,
    ChangesDep,
    FormAdmin,
    Render,
    Text,
    Transaction,
    section_router,
    see_other,
)
from bot.kernel.bounds import RowId
from bot.kernel.errors import InboxError
from bot.store.models import CannedReply

router = section_router()
PAGE = "/inbox/canned"


@router.get("/canned")
def canned_page(viewer: Admin, db: Transaction, render: Render) -> Response:
    return render("canned.html", viewer, canned=conversations.canned_replies(db, viewer))


@router.post("/canned")
def add_canned(
    viewer: FormAdmin,
    changes: ChangesDep,
    words: Text,
    title: Annotated[str, Form(max_length=80)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    with changes.transaction(PAGE) as db:
        if not title.strip() or not text.strip():
            raise InboxError("errors.canned_fields_missing")
        db.add(CannedReply(team_id=viewer.team_id, title=title.strip(), text=text.strip()))
    return see_other(PAGE, notice=words("notices.canned_saved"))


@router.post("/canned/{canned_id}/delete")
def delete_canned(
    canned_id: RowId, viewer: FormAdmin, changes: ChangesDep, words: Text
) -> Response:
    with changes.transaction(PAGE) as db:
        row = db.get(CannedReply, canned_id)
        if row is None or row.team_id != viewer.team_id:
            raise InboxError("errors.canned_not_found")
        db.delete(row)
    return see_other(PAGE, notice=words("notices.canned_deleted"))
