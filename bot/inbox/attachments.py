"""The files in a conversation's transcript, and one file as a consultant may open it.

A file is visible exactly when its conversation is (:meth:`bot.inbox.scope.Scope.conversations`):
another team's file answers as a file that does not exist.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.scope import Scope
from bot.store.models import Conversation, Message, MessageAttachment

# Shown in the page itself; anything else (a PDF) is downloaded, never rendered by the browser
# in the inbox's origin.
INLINE_PREFIXES = ("image/", "audio/")


@dataclass(frozen=True, slots=True)
class FileInTranscript:
    id: int
    kind: str
    content_type: str
    filename: str | None
    size: int
    problem: str | None

    @property
    def shown_as(self) -> str:
        """How the transcript shows it: image, audio, link, or marker (not kept)."""
        if self.problem is not None:
            return "marker"
        if self.content_type.startswith("image/"):
            return "image"
        if self.content_type.startswith("audio/"):
            return "audio"
        return "link"


def files_by_message(db: Session, conversation_id: int) -> dict[int, list[FileInTranscript]]:
    """The conversation's files by message id, without their bytes."""
    rows = db.execute(
        select(
            MessageAttachment.id,
            MessageAttachment.message_id,
            MessageAttachment.kind,
            MessageAttachment.content_type,
            MessageAttachment.filename,
            MessageAttachment.size,
            MessageAttachment.problem,
        )
        .join(Message, Message.id == MessageAttachment.message_id)
        .where(Message.conversation_id == conversation_id)
        .order_by(MessageAttachment.id)
    )
    found: dict[int, list[FileInTranscript]] = {}
    for row in rows:
        found.setdefault(row.message_id, []).append(
            FileInTranscript(
                row.id, row.kind, row.content_type, row.filename, row.size, row.problem
            )
        )
    return found


def files_by_notice(db: Session, notice_ids: list[int]) -> dict[int, list[FileInTranscript]]:
    """The files the citizen said belong to each absence notice, without their bytes."""
    if not notice_ids:
        return {}
    rows = db.execute(
        select(
            MessageAttachment.id,
            MessageAttachment.absence_notice_id,
            MessageAttachment.kind,
            MessageAttachment.content_type,
            MessageAttachment.filename,
            MessageAttachment.size,
            MessageAttachment.problem,
        )
        .where(MessageAttachment.absence_notice_id.in_(notice_ids))
        .order_by(MessageAttachment.id)
    )
    found: dict[int, list[FileInTranscript]] = {}
    for row in rows:
        found.setdefault(row.absence_notice_id, []).append(
            FileInTranscript(
                row.id, row.kind, row.content_type, row.filename, row.size, row.problem
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class OpenedFile:
    data: bytes
    content_type: str
    disposition: str
    conversation_id: int
    citizen_id: int


def open_file(db: Session, within: Scope, attachment_id: int) -> OpenedFile | None:
    """The file, when it is kept and its conversation is within the scope."""
    row = db.execute(
        select(
            MessageAttachment.id,
            MessageAttachment.data,
            MessageAttachment.content_type,
            MessageAttachment.filename,
            MessageAttachment.kind,
            Conversation.id.label("conversation_id"),
            Conversation.citizen_id,
        )
        .join(Message, Message.id == MessageAttachment.message_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(MessageAttachment.id == attachment_id, within.conversations())
    ).first()
    if row is None or row.data is None:
        return None
    content_type = row.content_type
    inline = content_type.startswith(INLINE_PREFIXES)
    name = row.filename or f"{row.kind}-{row.id}{mimetypes.guess_extension(content_type) or ''}"
    return OpenedFile(
        data=row.data,
        content_type=content_type,
        disposition=content_disposition("inline" if inline else "attachment", name),
        conversation_id=row.conversation_id,
        citizen_id=row.citizen_id,
    )


def content_disposition(kind: str, filename: str) -> str:
    """``kind; filename="ascii"; filename*=UTF-8''encoded`` (RFC 6266): any name is safe in it."""
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
