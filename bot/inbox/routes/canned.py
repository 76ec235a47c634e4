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
from bot.inbox.staff_text import with_cpr_notice
from bot.kernel.cpr import mask_cpr
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
    typed_title, typed_text = mask_cpr(title.strip()), mask_cpr(text.strip())
    with changes.transaction(PAGE) as db:
        if not typed_title.text or not typed_text.text:
            raise InboxError("errors.canned_fields_missing")
        # The mask is longer than some spellings: the title is cut to what its column holds.
        title_text = typed_title.text[:80]
        db.add(CannedReply(team_id=viewer.team_id, title=title_text, text=typed_text.text))
    notice = with_cpr_notice(words, words("notices.canned_saved"), typed_title, typed_text)
    return see_other(PAGE, notice=notice)


@router.post("/canned/{canned_id}/delete")
def delete_canned(canned_id: int, viewer: FormAdmin, changes: ChangesDep, words: Text) -> Response:
    with changes.transaction(PAGE) as db:
        row = db.get(CannedReply, canned_id)
        if row is None or row.team_id != viewer.team_id:
            raise InboxError("errors.canned_not_found")
        db.delete(row)
    return see_other(PAGE, notice=words("notices.canned_deleted"))
