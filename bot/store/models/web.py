"""Web chat keys: a web citizen's only credential, so each one ends (idle or by the citizen)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, UtcDateTime, utcnow


class WebSession(Base):
    """One web chat key: when it was last used, and when it ended (never to be used again).

    The key is the address of the citizen's web channel identity while the session lives; an
    ended key identifies no one (the identity is gone) and is refused.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
