"""``GET /inbox/attachments/{id}``: a file a citizen sent, for a consultant who may see the
conversation it came in. Every view is written to the audit log as a view of the conversation.

The bytes go out with the stored content type, never sniffed (``nosniff`` comes with every
response, as does the strict Content-Security-Policy); images and audio are shown inline, any
other file (a PDF) is downloaded. ``no-store``: a citizen's sick note stays off shared disks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from fastapi.responses import Response

from bot.inbox.attachments import open_file
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.routes.depends import (
    Answer,
    Audit,
    LoggedIn,
    Render,
    ServicesDep,
    Transaction,
    section_router,
)
from bot.inbox.scope import Scope

router = section_router()


@router.get("/attachments/{attachment_id}")
def attachment_file(
    attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    viewer: LoggedIn,
    db: Transaction,
    render: Render,
    audit: Audit,
    services: ServicesDep,
) -> Response:
    opened = open_file(db, Scope.reading(viewer), attachment_id)
    if opened is None:
        raise Answer(render.error(viewer, 404, render.text("attachments.not_found")))
    audit.record(
        AuditAction.VIEW_ATTACHMENT,
        AuditObject.CONVERSATION,
        opened.conversation_id,
        services.clock.now(),
        citizen_id=opened.citizen_id,
        attachment=attachment_id,
    )
    return Response(
        content=opened.data,
        media_type=opened.content_type,
        headers={
            "Content-Disposition": opened.disposition,
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
