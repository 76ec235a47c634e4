"""Finding and sharing the work: the queue's filters, search (citizens by name, phone or
Telegram name, and message text), and giving a conversation to a colleague in the team.

Everything goes through :mod:`bot.inbox.scope`: a search finds only what the viewer may read,
and a colleague is someone in the viewer's own team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from bot.inbox import conversations
from bot.inbox.auth import Viewer
from bot.inbox.citizen_names import danish_phone
from bot.inbox.conversations import QueueItem
from bot.inbox.scope import Scope
from bot.kernel.errors import InboxError
from bot.kernel.messages import Channel
from bot.store.models import (
    Citizen,
    CitizenContact,
    Consultant,
    Conversation,
    ConversationStatus,
    Message,
)
from flows.handoff import CRISIS_PRIORITY
from flows.types import SummaryKey

# The waiting times one may filter on, in minutes.
WAITED_CHOICES = (5, 15, 30, 60)
TEAM_CHOICES = ("own", "new")  # the team's own citizens, or first-time citizens with no team
SEARCH_MIN_CHARS = 2
SEARCH_LIMIT = 50


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the waiting list is narrowed to; every field empty shows the whole queue."""

    crisis: bool = False
    channel: str = ""
    topic: str = ""
    waited: int = 0  # minutes waited at least
    team: str = ""

    @classmethod
    def from_query(
        cls, crisis: str = "", channel: str = "", topic: str = "", waited: str = "", team: str = ""
    ) -> QueueFilter:
        """From the page's query; a value that is no choice is ignored, never an error."""
        minutes = int(waited) if waited.isdigit() and int(waited) in WAITED_CHOICES else 0
        return cls(
            crisis=crisis == "1",
            channel=channel if channel in {c.value for c in Channel} else "",
            topic=topic if re.fullmatch(r"[a-z_]{1,40}", topic) else "",
            waited=minutes,
            team=team if team in TEAM_CHOICES else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.crisis or self.channel or self.topic or self.waited or self.team)

    def conditions(self, viewer: Viewer, now: datetime) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.crisis:
            found.append(Conversation.priority >= CRISIS_PRIORITY)
        if self.channel:
            found.append(Citizen.last_channel == self.channel)
        if self.waited:
            found.append(Conversation.waiting_since <= now - timedelta(minutes=self.waited))
        if self.team == "own":
            found.append(Citizen.team_id == viewer.team_id)
        elif self.team == "new":
            found.append(Citizen.team_id.is_(None))
        return found


def topic_of(item: QueueItem) -> str:
    """What the chatbot guessed the waiting chat is about (its summary's intent)."""
    summary = item.conversation.handoff_summary or {}
    return str(summary.get(SummaryKey.INTENT.value) or "")


def filtered_waiting(
    db: Session, viewer: Viewer, chosen: QueueFilter, now: datetime
) -> tuple[list[QueueItem], list[str]]:
    """The waiting chats the filter keeps, and every topic of the unfiltered queue (the
    topic filter's choices)."""
    every = conversations.waiting_queue(db, viewer, limit=500)
    topics = sorted({topic for item in every if (topic := topic_of(item))})
    if not chosen.active:
        return every[:100], topics
    kept = conversations.waiting_queue(db, viewer, limit=500, where=chosen.conditions(viewer, now))
    if chosen.topic:
        kept = [item for item in kept if topic_of(item) == chosen.topic]
    return kept[:100], topics


@dataclass(frozen=True, slots=True)
class Found:
    citizen: Citizen
    # The newest message whose text matched, if the search matched one.
    message: Message | None


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(db: Session, viewer: Viewer, typed: str) -> list[Found]:
    """Citizens in the viewer's scope whose recorded name, Telegram name or phone number holds
    ``typed``, then those with a message whose text holds it (messages older than the
    retention period are deleted already, so all that is stored may be found)."""
    words = " ".join(typed.split())[:100]
    if len(words) < SEARCH_MIN_CHARS:
        raise InboxError("finding.search_too_short")
    within = Scope.reading(viewer)
    pattern = _like(words)
    phone = danish_phone(words)
    digits = re.sub(r"\D", "", words)
    by_person: list[ColumnElement[bool]] = [
        Citizen.display_name.ilike(pattern, escape="\\"),
        CitizenContact.name.ilike(pattern, escape="\\"),
    ]
    if phone is not None:
        by_person += [Citizen.phone == phone, CitizenContact.phone == phone]
    elif len(digits) >= 4 and len(digits) == len(re.sub(r"[\s+]", "", words)):
        by_person += [
            Citizen.phone.like(f"%{digits}"),
            CitizenContact.phone.like(f"%{digits}"),
        ]
    people = db.scalars(
        select(Citizen)
        .outerjoin(CitizenContact, CitizenContact.citizen_id == Citizen.id)
        .where(within.citizens(), or_(*by_person))
        .order_by(Citizen.last_seen_at.desc())
        .limit(SEARCH_LIMIT)
    ).all()
    found = [Found(citizen, None) for citizen in people]
    seen = {citizen.id for citizen in people}
    messages = db.scalars(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(within.conversations(), Message.text.ilike(pattern, escape="\\"))
        .order_by(Message.id.desc())
        .limit(SEARCH_LIMIT * 4)
    ).all()
    for message in messages:
        if message.citizen_id in seen or len(found) >= SEARCH_LIMIT:
            continue
        citizen = db.get(Citizen, message.citizen_id)
        if citizen is not None:
            seen.add(citizen.id)
            found.append(Found(citizen, message))
    return found


def colleagues(db: Session, viewer: Viewer) -> list[Consultant]:
    """The active consultants of the viewer's team, the viewer excepted."""
    return list(
        db.scalars(
            select(Consultant)
            .where(
                Consultant.team_id == viewer.team_id,
                Consultant.active,
                Consultant.id != viewer.id,
            )
            .order_by(Consultant.display_name)
        )
    )


def assign(
    db: Session, viewer: Viewer, conversation_id: int, colleague_id: int, now: datetime
) -> Consultant:
    """Give a conversation the viewer holds, or one that waits, to a colleague in the team: it
    is theirs (their "mine" list) as if they had taken it."""
    colleague = db.get(Consultant, colleague_id)
    if (
        colleague is None
        or colleague.team_id != viewer.team_id
        or not colleague.active
        or colleague.id == viewer.id
    ):
        raise InboxError("finding.not_a_colleague")
    conversation = conversations.visible_conversation(db, Scope.changing(viewer), conversation_id)
    if conversation.status == ConversationStatus.WAITING:
        if not conversations.claim(db, viewer, conversation_id, now):
            raise InboxError("errors.already_claimed")
    elif (
        conversation.status != ConversationStatus.CONSULTANT
        or conversation.assigned_consultant_id != viewer.id
    ):
        raise InboxError("errors.claim_first")
    db.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(assigned_consultant_id=colleague.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.expire(conversation)
    return colleague
