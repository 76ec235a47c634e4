"""The audit log: every view of a conversation or citizen page, and every change, recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.auth import Viewer
from bot.models import AuditEntry


def record(
    db: Session,
    viewer: Viewer,
    action: str,
    object_type: str,
    object_id: int | None,
    now: datetime,
    *,
    citizen_id: int | None = None,
    **detail: Any,
) -> None:
    db.add(
        AuditEntry(
            consultant_id=viewer.id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            citizen_id=citizen_id,
            detail=detail,
            at=now,
        )
    )


def recent_entries(
    db: Session, *, citizen_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if citizen_id is not None:
        query = query.where(AuditEntry.citizen_id == citizen_id)
    return list(db.scalars(query))
