"""What the inbox keeps about knowing and helping a citizen: the name and phone number a
consultant recorded with the citizen's consent, and the citizens' answers to "Fik du hjælp?"."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, UtcDateTime, utcnow


class CitizenContact(Base):
    """The name and phone number a consultant recorded, and who recorded the consent when.

    Separate from ``Citizen.phone`` (the SMS identity, set by the channel): a recorded number is
    for a consultant to call, never an address the bot writes to. Deleted with the citizen.
    """

    __tablename__ = "citizen_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164: +45 and eight digits
    # The consent statement the consultant confirmed (its content key, so its words are known).
    consent_statement: Mapped[str] = mapped_column(String(80))
    consent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultants.id", ondelete="SET NULL")
    )
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Satisfaction(StrEnum):
    """The three plain answers to "Fik du hjælp?"."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class SatisfactionAnswer(Base):
    """One "Fik du hjælp?" asked after a consultant closed a chat, and its answer.

    A statistic per week and team: the citizen link is only for matching the answer and is
    removed with the citizen (SET NULL), the answer stays.
    """

    __tablename__ = "satisfaction_answers"
    __table_args__ = (
        CheckConstraint("answer IN ('yes', 'partly', 'no')", name="answer"),
        Index("ix_satisfaction_answers_citizen", "citizen_id", "asked_at"),
        Index("ix_satisfaction_answers_team_asked", "team_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultants.id", ondelete="SET NULL")
    )
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(String(10))
