"""The files a message carries, in the pipeline: stored with the message in its transaction,
told to the flows, and the citizen told when one was not kept.

A transport has fetched each file before the message reaches the pipeline (off the event loop);
a file it refused or could not fetch arrives as a marker with its problem and is stored as one,
so the transcript shows that something came and nothing is silently lost.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, or_, select

from bot.kernel.messages import Attachment, AttachmentProblem, InboundMessage, Reply
from bot.kernel.text import clean_text
from bot.pipeline.flow_step import ContextLoader
from bot.store.conversations import OpenConversation
from bot.store.db import MessageTransaction
from bot.store.models import AbsenceNotice
from bot.store.tables import ATTACHMENTS
from flows.content import Content
from flows.types import FlowContext, OpenAbsence

# A sick note sent up to this long after an absence ended still most likely belongs to it.
ABSENCE_STILL_OPEN_FOR = timedelta(days=14)
_INSERT = insert(ATTACHMENTS)


def caption(inbound: InboundMessage, *, max_chars: int) -> str:
    """The message's text, cleaned; a file without a caption has the empty text."""
    if inbound.attachments and not inbound.text.strip():
        return ""
    return clean_text(inbound.text, max_chars=max_chars)


def store_attachments(
    connection: Connection, inbound: InboundMessage, citizen_id: int, message_id: int, now: datetime
) -> None:
    rows = [_row(attachment, citizen_id, message_id, now) for attachment in inbound.attachments]
    if rows:
        connection.execute(_INSERT, rows)


def _row(
    attachment: Attachment, citizen_id: int, message_id: int, now: datetime
) -> dict[str, object]:
    return {
        "message_id": message_id,
        "citizen_id": citizen_id,
        "kind": attachment.kind[:20],
        "content_type": attachment.content_type[:100],
        "filename": attachment.filename[:255] if attachment.filename else None,
        "size": attachment.size,
        "data": attachment.data if attachment.problem is None else None,
        "problem": attachment.problem.value if attachment.problem is not None else None,
        "absence_notice_id": None,
        "created_at": now,
    }


def refusals(
    inbound: InboundMessage, language: str, content: Content, max_bytes: int
) -> list[Reply]:
    """One reply per kind of problem among the message's files (too large, wrong type, failed)."""
    problems = dict.fromkeys(a.problem for a in inbound.attachments if a.problem is not None)
    max_mb = f"{max_bytes / 1_000_000:g}"
    return [
        Reply(content.text(language, f"attachments.{problem.value}", max_mb=max_mb))
        if problem == AttachmentProblem.TOO_LARGE
        else Reply(content.text(language, f"attachments.{problem.value}"))
        for problem in problems
    ]


def nothing_kept_to_read(inbound: InboundMessage, text: str) -> bool:
    """Every file was refused and there is no caption: the refusal is the whole answer."""
    return bool(inbound.attachments) and not text and all(a.problem for a in inbound.attachments)


def with_attachments(loader: ContextLoader, inbound: InboundMessage) -> ContextLoader:
    """``loader``, with the message's files (and the open absence notice they may belong to)
    in the flows' context."""
    kept = tuple(a.kind for a in inbound.attachments if a.problem is None)
    refused = any(a.problem is not None for a in inbound.attachments)

    def load(
        work: MessageTransaction, conversation: OpenConversation, channel: str, now: datetime
    ) -> FlowContext:
        context = loader(work, conversation, channel, now)
        today = now.astimezone(ZoneInfo(context.timezone)).date()
        notice = open_absence(work.connection, conversation.citizen_id, today) if kept else None
        return replace(context, attachments=kept, attachment_refused=refused, open_absence=notice)

    return load


def open_absence(connection: Connection, citizen_id: int, today: date) -> OpenAbsence | None:
    """The citizen's latest absence notice that is open, or ended at most two weeks ago."""
    row = connection.execute(
        select(AbsenceNotice.id, AbsenceNotice.starts_on, AbsenceNotice.reason)
        .where(
            AbsenceNotice.citizen_id == citizen_id,
            AbsenceNotice.starts_on <= today + timedelta(days=7),
            or_(
                AbsenceNotice.ends_on.is_(None),
                AbsenceNotice.ends_on >= today - ABSENCE_STILL_OPEN_FOR,
            ),
        )
        .order_by(AbsenceNotice.reported_at.desc(), AbsenceNotice.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return OpenAbsence(notice_id=row.id, starts_on=row.starts_on, reason=row.reason)
