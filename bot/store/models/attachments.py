"""Files citizens send with a message (photos, PDFs, voice messages), kept in the database.

One row per file; a file that was refused (too large, wrong type) or could not be fetched keeps
a row without ``data`` and with its ``problem``, so the transcript shows what arrived.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, UtcDateTime, utcnow


class MessageAttachment(Base):
    __tablename__ = "message_attachments"
    __table_args__ = (
        Index("ix_message_attachments_message", "message_id"),
        Index("ix_message_attachments_citizen", "citizen_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    # photo, document, voice, video, audio (Telegram) or media (MMS).
    kind: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Set when the file was not kept: an AttachmentProblem value.
    problem: Mapped[str | None] = mapped_column(String(20))
    # The absence notice the citizen said it belongs to (a sick note).
    absence_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("absence_notices.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
