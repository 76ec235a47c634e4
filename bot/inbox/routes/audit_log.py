"""The audit log page, for admins: their team's latest entries, or one citizen's (a system admin
reads every team's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from bot.inbox import audit
from bot.inbox.routes.depends import Admin, Render, Transaction, section_router
from bot.inbox.scope import Scope
from bot.kernel.bounds import RowId

router = section_router()


@router.get("/audit")
def audit_page(
    viewer: Admin,
    db: Transaction,
    render: Render,
    citizen: Annotated[RowId | None, Query()] = None,
) -> Response:
    return render(
        "audit.html",
        viewer,
        entries=audit.recent_entries(db, Scope.reading(viewer), citizen_id=citizen),
        citizen_filter=citizen,
    )
