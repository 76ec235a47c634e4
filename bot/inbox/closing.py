"""Closing a chat so that it closes: the citizen is told, an open question of the consultant's
stays open for a person, and a handled chat ends with one "Fik du hjælp?".

The citizen's next message goes to a new conversation, made here with the question it answers
in its flow state (``flows.after_close`` reads it): the consultant's question (the answer goes
to the queue) or the satisfaction question (the answer is kept, :mod:`bot.domain.satisfaction`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.delivery import enqueue_proactive
from bot.inbox import conversations
from bot.inbox.auth import Viewer
from bot.inbox.notices import queue_message
from bot.inbox.scope import Scope
from bot.store.conversations import new_conversation
from bot.store.models import (
    Citizen,
    Conversation,
    ConversationStatus,
    Message,
    SatisfactionAnswer,
    Sender,
)
from flows.after_close import satisfaction_question
from flows.content import Content
from flows.handoff import CRISIS_PRIORITY
from flows.questions import ConsultantQuestion, Question
from flows.state import FlowState
from flows.types import HandoffReason

# A citizen asked "Fik du hjælp?" is not asked again this soon after another chat.
SATISFACTION_QUIET = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Closed:
    conversation: Conversation
    told: bool  # the citizen was told the chat is closed
    question_left_open: bool  # the consultant's last message asked something
    satisfaction_asked: bool


def last_consultant_message(db: Session, conversation_id: int) -> Message | None:
    return db.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender == Sender.CONSULTANT.value,
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).first()


def asks_something(message: Message | None) -> bool:
    """Whether the consultant's last message was a question (it ends with a question mark)."""
    return message is not None and (message.text or "").rstrip().endswith("?")


def close_and_tell(
    db: Session, viewer: Viewer, conversation_id: int, now: datetime, content: Content
) -> Closed:
    """Close the conversation; a person was in it (held or waiting): tell the citizen, and
    leave the next message's question in a new conversation."""
    before = conversations.visible_conversation(db, Scope.changing(viewer), conversation_id)
    was = before.status
    conversation = conversations.close(db, viewer, conversation_id, now)
    if was not in (ConversationStatus.CONSULTANT, ConversationStatus.WAITING):
        return Closed(conversation, told=False, question_left_open=False, satisfaction_asked=False)
    language = conversation.language
    asked = last_consultant_message(db, conversation_id)
    question_open = asks_something(asked)
    key = "after_close.closed_question_open" if question_open else "after_close.closed"
    told = queue_message(db, conversation, content.text(language, key), now, sender=Sender.SYSTEM)
    citizen = db.get(Citizen, conversation.citizen_id)
    assert citizen is not None
    satisfaction = (
        not question_open
        and was == ConversationStatus.CONSULTANT
        and told is not None
        and not _crisis(conversation)
        and not _asked_lately(db, citizen.id, now)
    )
    pending: Question | None = None
    if question_open and asked is not None:
        pending = ConsultantQuestion(text=asked.text or "")
    elif satisfaction:
        pending = satisfaction_question(
            content.text(language, "after_close.satisfaction"),
            tuple(
                str(label) for label in content.raw(language, "after_close.satisfaction_choices")
            ),
        )
    if pending is not None:
        follow_up = new_conversation(citizen, now)
        follow_up.language = language
        follow_up.flow_state = FlowState(pending=pending).to_stored()
        db.add(follow_up)
        db.flush()
        if satisfaction:
            enqueue_proactive(
                db,
                citizen=citizen,
                conversation_id=follow_up.id,
                text=pending.text,
                choices=pending.choices,
                now=now,
                sender=Sender.SYSTEM,
            )
            db.add(
                SatisfactionAnswer(
                    citizen_id=citizen.id,
                    team_id=viewer.team_id,
                    consultant_id=viewer.id,
                    asked_at=now,
                )
            )
    return Closed(conversation, told is not None, question_open, satisfaction)


def _crisis(conversation: Conversation) -> bool:
    return (conversation.priority or 0) >= CRISIS_PRIORITY or (
        conversation.handoff_reason == HandoffReason.CRISIS.value
    )


def _asked_lately(db: Session, citizen_id: int, now: datetime) -> bool:
    return (
        db.scalars(
            select(SatisfactionAnswer.id).where(
                SatisfactionAnswer.citizen_id == citizen_id,
                SatisfactionAnswer.asked_at >= now - SATISFACTION_QUIET,
            )
        ).first()
        is not None
    )
