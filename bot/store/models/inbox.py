"""What the consultant inbox stores: login sessions, failed logins, notes, canned replies, audit.

Login sessions live in the database (the cookie carries a signed random token, the table its
hash) so logging out or deactivating a consultant ends the session on every server process.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, JsonType, UtcDateTime, utcnow
from bot.store.models.core import Consultant


class LoginSession(Base):
    __tablename__ = "inbox_login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the cookie's token: a leaked table does not let anyone log in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)

    consultant: Mapped[Consultant] = relationship()


class LoginFailure(Base):
    """A refused login, counted to slow down password guessing."""

    __tablename__ = "inbox_login_failures"
    __table_args__ = (
        Index("ix_inbox_login_failures_username_at", "username", "at"),
        Index("ix_inbox_login_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    client: Mapped[str] = mapped_column(String(64))  # the client's IP address
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class InternalNote(Base):
    """A consultant's note on a conversation; never sent to the citizen."""

    __tablename__ = "inbox_notes"
    __table_args__ = (Index("ix_inbox_notes_conversation", "conversation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    consultant: Mapped[Consultant] = relationship()


class CannedReply(Base):
    """A ready answer an admin wrote for the team; consultants insert and edit it."""

    __tablename__ = "inbox_canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AuditEntry(Base):
    """Who looked at or changed what, and when: every view of a conversation or citizen, every
    change made in the inbox, every login and refused login."""

    __tablename__ = "inbox_audit_log"
    __table_args__ = (
        Index("ix_inbox_audit_log_at", "at"),
        Index("ix_inbox_audit_log_citizen", "citizen_id", "at"),
        Index("ix_inbox_audit_log_team", "team_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable and not cascading: the log outlives accounts and citizens it mentions.
    consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultants.id", ondelete="SET NULL")
    )
    # The acting consultant's team when the entry was written: admins read their team's log.
    # None for what no team owns (a refused login with an unknown username).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))  # view_conversation, claim, reply, ...
    object_type: Mapped[str] = mapped_column(String(40))  # conversation, citizen, booking, ...
    object_id: Mapped[int | None] = mapped_column()
    citizen_id: Mapped[int | None] = mapped_column()
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    consultant: Mapped[Consultant | None] = relationship()


class QueueWait(Base):
    """How long one handed-off conversation waited before a consultant took it.

    Written when a consultant takes a conversation from the queue; the bot reads the latest rows
    to tell the next citizen a wait that follows what really happens. A statistic: it holds no
    link to the citizen or the conversation, so a citizen's deletion leaves nothing here.
    """

    __tablename__ = "inbox_queue_waits"
    __table_args__ = (Index("ix_inbox_queue_waits_taken_at", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultants.id", ondelete="SET NULL")
    )
    # The conversation's queue priority: crisis conversations jump the queue, so their waits
    # say nothing about an ordinary citizen's.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    waiting_since: Mapped[datetime] = mapped_column(UtcDateTime)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
