"""The audit log: every view of a conversation or citizen page, every change made in the inbox,
and every login, logout and refused login, recorded.

Every form (POST) of the inbox writes an entry; a test walks all of them
(``tests/bot/inbox/test_audit_every_change.py``), so a new form without an entry fails it.
An entry carries the acting consultant's team: admins read their team's log
(:meth:`bot.inbox.scope.Scope.audit_entries`). Nothing a person typed into the login form is
kept: a refused login for a username that names no account is recorded without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.scope import Scope
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
    ADD_OPENING_HOURS = "add_opening_hours"
    DELETE_OPENING_HOURS = "delete_opening_hours"
    ADD_CANNED = "add_canned"
    DELETE_CANNED = "delete_canned"
    LOGIN = "login"
    LOGIN_REFUSED = "login_refused"
    LOGOUT = "logout"
    VIEW_ATTACHMENT = "view_attachment"
    SEND_AGAIN = "send_again"
    SEARCH = "search"
    ASSIGN = "assign"
    SAVE_CONTACT = "save_contact"
    BOOK_FOR_CITIZEN = "book_for_citizen"
    ANNUL_ABSENCE = "annul_absence"
    CORRECT_ABSENCE = "correct_absence"


class AuditObject(StrEnum):
    """What the action was about (``AuditEntry.object_type``)."""

    CONVERSATION = "conversation"
    CITIZEN = "citizen"
    BOOKING = "booking"
    SLOT = "slot"
    SLOT_EXCEPTION = "slot_exception"
    OPENING_HOURS = "opening_hours"
    CANNED_REPLY = "canned_reply"
    ACCOUNT = "account"
    ABSENCE_NOTICE = "absence_notice"


class Actor(Protocol):
    """Who acts: the logged-in :class:`~bot.inbox.auth.Viewer`, or the account a login is for."""

    @property
    def id(self) -> int: ...

    @property
    def team_id(self) -> int: ...


@dataclass(frozen=True, slots=True)
class AuditTrail:
    """What ``actor`` does, written to the audit log in the session ``db``; ``None`` for a
    refused login naming no account."""

    db: Session
    actor: Actor | None

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
                consultant_id=self.actor.id if self.actor else None,
                team_id=self.actor.team_id if self.actor else None,
                action=action.value,
                object_type=object_type.value,
                object_id=object_id,
                citizen_id=citizen_id,
                detail=detail,
                at=now,
            )
        )


def recent_entries(
    db: Session, within: Scope, *, citizen_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(within.audit_entries())
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if citizen_id is not None:
        query = query.where(AuditEntry.citizen_id == citizen_id)
    return list(db.scalars(query))
