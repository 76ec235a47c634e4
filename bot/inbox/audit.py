"""The audit log: every view of a conversation or citizen page, and every change, recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.auth import Viewer
from bot.store.models import AuditEntry


class AuditAction(StrEnum):
    """What a consultant did (``AuditEntry.action``)."""

    VIEW_CONVERSATION = "view_conversation"
    VIEW_CITIZEN = "view_citizen"
    CLAIM = "claim"
    REPLY = "reply"
    ADD_NOTE = "add_note"
    HAND_BACK = "hand_back"
    CLOSE = "close"
    SET_CHECK_IN = "set_check_in"
    MARK_BOOKING = "mark_booking"
    CREATE_SLOTS = "create_slots"
    ADD_EXCEPTION = "add_exception"


class AuditObject(StrEnum):
    """What the action was about (``AuditEntry.object_type``)."""

    CONVERSATION = "conversation"
    CITIZEN = "citizen"
    BOOKING = "booking"
    SLOT = "slot"
    SLOT_EXCEPTION = "slot_exception"


@dataclass(frozen=True, slots=True)
class AuditTrail:
    """What ``viewer`` does, written to the audit log in the session ``db``."""

    db: Session
    viewer: Viewer

    def record(
        self,
        action: AuditAction,
        object_type: AuditObject,
        object_id: int | None,
        now: datetime,
        *,
        citizen_id: int | None = None,
        **detail: Any,
    ) -> None:
        self.db.add(
            AuditEntry(
                consultant_id=self.viewer.id,
                action=action.value,
                object_type=object_type.value,
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
