"""Canned replies: the team's ready answers, kept by its admins (adding and deleting audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from bot.inbox import conversations
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.routes.depends import (
    Admin,
    Audit,
    ChangesDep,
    FormAdmin,
    Render,
    ServicesDep,
    Text,
    Transaction,
    section_router,
    see_other,
)
from bot.inbox.routes.visible import CannedId
from bot.inbox.scope import Scope, find
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
    audit: Audit,
    services: ServicesDep,
    words: Text,
    title: Annotated[str, Form(max_length=80)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    typed_title, typed_text = mask_cpr(title.strip()), mask_cpr(text.strip())
    with changes.transaction(PAGE) as db:
        if not typed_title.text or not typed_text.text:
            raise InboxError("errors.canned_fields_missing")
        # The mask is longer than some spellings: the title is cut to what its column holds.
        row = CannedReply(team_id=viewer.team_id, title=typed_title.text[:80], text=typed_text.text)
        db.add(row)
        db.flush()
        audit.record(AuditAction.ADD_CANNED, AuditObject.CANNED_REPLY, row.id, services.clock.now())
    notice = with_cpr_notice(words, words("notices.canned_saved"), typed_title, typed_text)
    return see_other(PAGE, notice=notice)


@router.post("/canned/{canned_id}/delete")
def delete_canned(
    viewer: FormAdmin,
    canned_id: CannedId,
    changes: ChangesDep,
    audit: Audit,
    services: ServicesDep,
    words: Text,
) -> Response:
    with changes.transaction(PAGE) as db:
        row = find(db, CannedReply, canned_id, Scope.changing(viewer).canned_replies())
        if row is None:
            raise InboxError("errors.canned_not_found")
        db.delete(row)
        audit.record(
            AuditAction.DELETE_CANNED, AuditObject.CANNED_REPLY, canned_id, services.clock.now()
        )
    return see_other(PAGE, notice=words("notices.canned_deleted"))
