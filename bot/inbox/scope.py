"""Who sees what in the inbox: the one rule every page, list and form goes through.

- A consultant sees their own team's citizens and all of their conversations (bot-only ones
  too), their bookings and absence notices, and their team's audit log.
- A citizen with no team yet (a first-time citizen nobody has taken) is seen by every team only
  while a conversation of theirs waits in the queue, and only that conversation and what was
  reported in it; taking it puts the citizen in the taker's team.
- A system admin (``Consultant.system_admin``) reads every team's; what they change (every
  form) stays within their own team, so a form is always checked against :meth:`Scope.changing`.

An object outside the scope is answered as not found, never as forbidden, so counting up ids
tells nobody what exists in another team.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session

from bot.inbox.auth import Viewer
from bot.kernel.bounds import ROW_ID_MAX
from bot.store.models import (
    AbsenceNotice,
    AuditEntry,
    Booking,
    CannedReply,
    Citizen,
    Conversation,
    ConversationStatus,
    Location,
    OpeningHours,
)

Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Scope:
    """The part of the database one consultant may see (``every_team``) or change."""

    team_id: int
    every_team: bool = False

    @classmethod
    def reading(cls, viewer: Viewer) -> Scope:
        return cls(viewer.team_id, every_team=viewer.system_admin)

    @classmethod
    def changing(cls, viewer: Viewer) -> Scope:
        return cls(viewer.team_id)

    def _team_citizen_ids(self) -> Select[int]:
        return select(Citizen.id).where(Citizen.team_id == self.team_id)

    def conversations(self) -> ColumnElement[bool]:
        """On ``Conversation`` alone, so it works in an UPDATE (claiming) as in a SELECT."""
        if self.every_team:
            return true()
        teamless = select(Citizen.id).where(Citizen.team_id.is_(None))
        return or_(
            Conversation.citizen_id.in_(self._team_citizen_ids()),
            and_(
                Conversation.status == ConversationStatus.WAITING.value,
                Conversation.citizen_id.in_(teamless),
            ),
        )

    def citizens(self) -> ColumnElement[bool]:
        if self.every_team:
            return true()
        waiting = select(Conversation.citizen_id).where(
            Conversation.status == ConversationStatus.WAITING.value
        )
        return or_(
            Citizen.team_id == self.team_id,
            and_(Citizen.team_id.is_(None), Citizen.id.in_(waiting)),
        )

    def absence_notices(self) -> ColumnElement[bool]:
        """The team's citizens' notices, and those reported in a conversation in scope."""
        if self.every_team:
            return true()
        visible = select(Conversation.id).where(self.conversations())
        return or_(
            AbsenceNotice.citizen_id.in_(self._team_citizen_ids()),
            AbsenceNotice.conversation_id.in_(visible),
        )

    def _team_location_ids(self) -> Select[int]:
        return select(Location.id).where(Location.team_id == self.team_id)

    def bookings(self) -> ColumnElement[bool]:
        """A booking belongs to the team of its location."""
        if self.every_team:
            return true()
        return Booking.location_id.in_(self._team_location_ids())

    def opening_hours(self) -> ColumnElement[bool]:
        if self.every_team:
            return true()
        return OpeningHours.location_id.in_(self._team_location_ids())

    def canned_replies(self) -> ColumnElement[bool]:
        if self.every_team:
            return true()
        return CannedReply.team_id == self.team_id

    def audit_entries(self) -> ColumnElement[bool]:
        """What the team's consultants did, and what anyone did about the team's citizens."""
        if self.every_team:
            return true()
        return or_(
            AuditEntry.team_id == self.team_id,
            AuditEntry.citizen_id.in_(self._team_citizen_ids()),
        )


def find(db: Session, model: type[Row], object_id: int, visible: ColumnElement[bool]) -> Row | None:
    """The row of ``model`` with ``object_id`` if ``visible`` holds for it, else None."""
    # Ids are 32-bit in the database: a larger one names nothing (and PostgreSQL refuses it).
    if not 1 <= object_id <= ROW_ID_MAX:
        return None
    primary_key = model.id  # type: ignore[attr-defined]
    return db.scalars(select(model).where(primary_key == object_id, visible)).first()
