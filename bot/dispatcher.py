"""The message pipeline: one inbound message in, its replies out, in one transaction.

dedupe -> identify the citizen -> open conversation (locked) -> store inbound ->
(if a consultant holds it: stop) -> NLU -> flow step -> effects -> store replies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import SessionFactory, transaction
from bot.effects import EffectRunner, EffectScope
from bot.messages import Channel, InboundMessage, OutboundMessage, Reply
from bot.models import (
    ChannelIdentity,
    Citizen,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    Sender,
)
from bot.privacy import mask_cpr
from bot.text import clean_text
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import FlowContext, PendingReminder, Step
from nlu.types import IntentRecognizer, ParseResult

log = logging.getLogger(__name__)


# Finds the reminder a citizen's message may answer: (session, citizen id, now, language).
PendingReminderLoader = Callable[[Session, int, datetime, str], PendingReminder | None]


class Delivery(StrEnum):
    """How replies reach the citizen."""

    INLINE = "inline"  # in the HTTP response (web chat, TwiML): stored as delivered/sent
    OUTBOX = "outbox"  # queued for a sender (Telegram)


@dataclass(frozen=True, slots=True)
class DispatchResult:
    inbound_id: int
    citizen_id: int
    conversation_id: int
    replies: list[OutboundMessage]
    duplicate: bool
    intent: str | None


class Dispatcher:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        recognizer: IntentRecognizer,
        flows: FlowEngine,
        content: Content,
        effects: EffectRunner,
        clock: Clock,
        max_text_chars: int,
        default_language: str = "da",
        pending_reminder_loader: PendingReminderLoader | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.recognizer = recognizer
        self.flows = flows
        self.content = content
        self.effects = effects
        self.clock = clock
        self.max_text_chars = max_text_chars
        self.default_language = default_language
        self.pending_reminder_loader = pending_reminder_loader

    def handle(self, inbound: InboundMessage, *, delivery: Delivery) -> DispatchResult:
        """Handle one inbound message; a redelivery returns the replies stored the first time.

        Raises:
            InvalidMessage: the text is empty or too long (nothing is stored).
        """
        text = clean_text(inbound.text, max_chars=self.max_text_chars)
        masked = mask_cpr(text)
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            if inbound.channel_message_id is not None:
                earlier = self._find_inbound(session, inbound)
                if earlier is not None:
                    return self._replay(session, earlier)
            citizen = self._identify(session, inbound, now)
            conversation = self._open_conversation(session, citizen, now)
            message = Message(
                conversation_id=conversation.id,
                citizen_id=citizen.id,
                direction=Direction.IN.value,
                sender=Sender.CITIZEN.value,
                channel=inbound.channel.value,
                address=inbound.address,
                channel_message_id=inbound.channel_message_id,
                text=masked.text,
                status=MessageStatus.RECEIVED.value,
                created_at=now,
            )
            try:
                with session.begin_nested():
                    session.add(message)
            except IntegrityError:
                # A concurrent worker stored the same redelivered message and committed while
                # we waited for the conversation lock: answer as it did.
                earlier = self._find_inbound(session, inbound)
                if earlier is None:
                    raise
                return self._replay(session, earlier)
            citizen.last_channel = inbound.channel.value
            citizen.last_seen_at = now

            parse = self.recognizer.parse(masked.text, now=now)
            message.intent = parse["intent"]["name"]
            message.confidence = parse["intent"]["confidence"]
            replies = self._respond(session, citizen, conversation, parse, inbound, now)
            if masked.cpr_found:
                notice = self.content.text(conversation.language, "core.cpr_removed")
                replies.insert(0, Reply(notice))
            stored = [
                self._store_reply(session, conversation, message, reply, delivery, now)
                for reply in replies
            ]
            session.flush()
            return DispatchResult(
                inbound_id=message.id,
                citizen_id=citizen.id,
                conversation_id=conversation.id,
                replies=[_as_outbound(row) for row in stored],
                duplicate=False,
                intent=message.intent,
            )

    def _respond(
        self,
        session: Session,
        citizen: Citizen,
        conversation: Conversation,
        parse: ParseResult,
        inbound: InboundMessage,
        now: datetime,
    ) -> list[Reply]:
        status = conversation.status
        intent = parse["intent"]["name"]
        if status == ConversationStatus.CONSULTANT:
            return []  # a person holds the conversation: the bot stays silent
        if status == ConversationStatus.WAITING and intent != "crisis":
            return []  # queued for a person; only a crisis still gets the bot's answer
        context = FlowContext(
            now=now,
            language=conversation.language,
            channel=inbound.channel.value,
            citizen_id=citizen.id,
            pending_reminder=(
                self.pending_reminder_loader(session, citizen.id, now, conversation.language)
                if self.pending_reminder_loader is not None
                else None
            ),
        )
        try:
            with session.begin_nested():
                step: Step = self.flows.step(dict(conversation.flow_state or {}), parse, context)
                self.effects.run(EffectScope(session, citizen, conversation, now), step.effects)
                conversation.flow_state = step.next_state
                session.flush()
        except Exception:
            # The message is kept and the citizen gets a plain apology instead of silence.
            log.exception("flow step failed for conversation %s", conversation.id)
            return [Reply(self.content.text(conversation.language, "core.error"))]
        return list(step.replies)

    def _find_inbound(self, session: Session, inbound: InboundMessage) -> Message | None:
        return session.scalars(
            select(Message).where(
                Message.direction == Direction.IN.value,
                Message.channel == inbound.channel.value,
                Message.channel_message_id == inbound.channel_message_id,
            )
        ).first()

    def _replay(self, session: Session, inbound: Message) -> DispatchResult:
        rows = session.scalars(
            select(Message).where(Message.in_reply_to_id == inbound.id).order_by(Message.id)
        ).all()
        return DispatchResult(
            inbound_id=inbound.id,
            citizen_id=inbound.citizen_id,
            conversation_id=inbound.conversation_id,
            replies=[_as_outbound(row) for row in rows],
            duplicate=True,
            intent=inbound.intent,
        )

    def _identify(self, session: Session, inbound: InboundMessage, now: datetime) -> Citizen:
        key = (ChannelIdentity.channel == inbound.channel.value) & (
            ChannelIdentity.address == inbound.address
        )
        identity = session.scalars(select(ChannelIdentity).where(key)).first()
        if identity is not None:
            identity.last_seen_at = now
            return identity.citizen
        language = inbound.language_hint or self.default_language
        try:
            with session.begin_nested():
                citizen = Citizen(language=language, created_at=now, last_seen_at=now)
                if inbound.channel == Channel.SMS:
                    citizen.phone = inbound.address
                identity = ChannelIdentity(
                    citizen=citizen,
                    channel=inbound.channel.value,
                    address=inbound.address,
                    created_at=now,
                    last_seen_at=now,
                )
                session.add_all([citizen, identity])
        except IntegrityError:
            # A concurrent first message from the same address created the citizen.
            identity = session.scalars(select(ChannelIdentity).where(key)).one()
        return identity.citizen

    def _open_conversation(self, session: Session, citizen: Citizen, now: datetime) -> Conversation:
        query = (
            select(Conversation)
            .where(
                Conversation.citizen_id == citizen.id,
                Conversation.status != ConversationStatus.CLOSED.value,
            )
            .order_by(Conversation.id.desc())
            .limit(1)
            # Serialise messages of one conversation (PostgreSQL; SQLite locks the database).
            .with_for_update()
        )
        conversation = session.scalars(query).first()
        if conversation is None:
            conversation = Conversation(
                citizen_id=citizen.id,
                status=ConversationStatus.BOT.value,
                flow_state={},
                language=citizen.language,
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
        return conversation

    def _store_reply(
        self,
        session: Session,
        conversation: Conversation,
        inbound: Message,
        reply: Reply,
        delivery: Delivery,
        now: datetime,
    ) -> Message:
        inline = delivery == Delivery.INLINE
        row = Message(
            conversation_id=conversation.id,
            citizen_id=conversation.citizen_id,
            direction=Direction.OUT.value,
            sender=Sender.BOT.value,
            channel=inbound.channel,
            address=inbound.address,
            text=reply.text,
            choices=list(reply.choices),
            in_reply_to_id=inbound.id,
            status=(MessageStatus.SENT if inline else MessageStatus.QUEUED).value,
            sent_at=now if inline else None,
            next_attempt_at=None if inline else now,
            created_at=now,
        )
        session.add(row)
        return row


def _as_outbound(row: Message) -> OutboundMessage:
    return OutboundMessage(
        id=row.id,
        channel=Channel(row.channel),
        address=row.address,
        text=row.text or "",
        choices=tuple(row.choices or ()),
        citizen_id=row.citizen_id,
    )
