"""Files citizens sent, as the rest of the core sees them: linked to an absence notice on the
citizen's yes, in their data export, and deleted with them or when their retention ends."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.domain.effects import EffectRunner, EffectScope
from bot.store.models import AbsenceNotice, MessageAttachment
from flows.types import AttachToAbsence

# "The files you just sent": what a yes to "does it belong to your absence notice?" links.
JUST_SENT = timedelta(hours=24)


def register(runner: EffectRunner) -> None:
    runner.register(AttachToAbsence, attach_to_absence)


def attach_to_absence(scope: EffectScope, effect: AttachToAbsence) -> None:
    """Link the citizen's files of the last day not yet linked to the notice (if it is theirs)."""
    session = scope.session
    owner = session.scalar(
        select(AbsenceNotice.citizen_id).where(AbsenceNotice.id == effect.notice_id)
    )
    if owner != scope.citizen_id:
        return  # the notice was deleted meanwhile, or is not theirs: nothing to link
    session.execute(
        update(MessageAttachment)
        .where(
            MessageAttachment.citizen_id == scope.citizen_id,
            MessageAttachment.absence_notice_id.is_(None),
            MessageAttachment.problem.is_(None),
            MessageAttachment.created_at >= scope.now - JUST_SENT,
        )
        .values(absence_notice_id=effect.notice_id)
        .execution_options(synchronize_session=False)
    )


def export_attachments(session: Session, citizen_id: int) -> list[dict[str, Any]]:
    """The citizen's files for their data export, with their content in base64."""
    rows = session.scalars(
        select(MessageAttachment)
        .where(MessageAttachment.citizen_id == citizen_id)
        .order_by(MessageAttachment.id)
    ).all()
    return [
        {
            "message_id": row.message_id,
            "kind": row.kind,
            "content_type": row.content_type,
            "filename": row.filename,
            "size": row.size,
            "problem": row.problem,
            "absence_notice_id": row.absence_notice_id,
            "created_at": row.created_at.isoformat(),
            "content_base64": base64.b64encode(row.data).decode() if row.data is not None else None,
        }
        for row in rows
    ]


def delete_attachments(session: Session, citizen_id: int) -> None:
    session.execute(delete(MessageAttachment).where(MessageAttachment.citizen_id == citizen_id))


def purge_attachments(session: Session, now: datetime, days: int) -> int:
    """Delete the files older than their retention period; the number deleted."""
    result = session.execute(
        delete(MessageAttachment).where(MessageAttachment.created_at < now - timedelta(days=days))
    )
    return int(getattr(result, "rowcount", 0) or 0)
