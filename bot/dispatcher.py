"""The message pipeline: one inbound message in, its replies out, in one transaction.

dedupe -> identify the citizen -> open conversation (locked) -> store inbound ->
(if a consultant holds it: stop) -> NLU -> flow step -> effects -> store replies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from bot.clock import Clock
from bot.conversations import open_conversation
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
from bot.text import check_address, clean_text
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import FlowContext, PendingReminder, SlotTaken, Step
from nlu.types import IntentRecognizer, ParseResult

log = logging.getLogger(__name__)


# Finds the reminder a citizen's message may answer: (session, citizen id, now, language).
PendingReminderLoader = Callable[[Session, int, datetime, str], PendingReminder | None]


class Delivery(StrEnum):
    """How replies reach the citizen."""

    INLINE = "inline"  # in the HTTP response (web chat, TwiML): stored as delivered/sent
    OUTBOX = "outbox"  # queued for a sender (Telegram)


CitizenHook = Callable[[Session, Citizen, datetime], Citizen]


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
        max_messages_per_minute: int = 30,
        default_language: str = "da",
        context_loader: ContextLoader | None = None,
        pending_reminder_loader: PendingReminderLoader | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.recognizer = recognizer
        self.flows = flows
        self.content = content
        self.effects = effects
        self.clock = clock
        self.max_text_chars = max_text_chars
        self.max_messages_per_minute = max_messages_per_minute
        self.default_language = default_language
        self.context_loader: ContextLoader = context_loader or basic_context
        self.pending_reminder_loader = pending_reminder_loader

    def handle(self, inbound: InboundMessage, *, delivery: Delivery) -> DispatchResult:
        """Handle one inbound message; a redelivery returns the replies stored the first time.

        Raises:
            InvalidMessage: the text is empty or too long (nothing is stored).
        """
        check_address(inbound.channel.value, inbound.address)
        text = clean_text(inbound.text, max_chars=self.max_text_chars)
        masked = mask_cpr(text)
        now = self.clock.now()
        # NLU is pure and CPU-bound: run it before the transaction so no lock waits on it.
        parse = self.recognizer.parse(masked.text, now=now)
        with transaction(self.session_factory) as session:
            citizen = self._identify(session, inbound, now)
            admitted = self._admit(session, inbound, citizen, masked.text, parse, now)
            if isinstance(admitted, DispatchResult):
                return admitted
            conversation, message_id = admitted

            replies = self._respond(session, citizen, conversation, parse, inbound, now)
            if masked.cpr_found:
                notice = self.content.text(conversation.language, "core.cpr_removed")
                # Crisis numbers always come first; the CPR notice can wait.
                crisis = parse["intent"]["name"] == "crisis"
                replies.insert(len(replies) if crisis else 0, Reply(notice))
            return self._store_replies(
                session,
                inbound,
                conversation,
                message_id,
                replies,
                delivery,
                now,
                intent=parse["intent"]["name"],
            )

    def _store_replies(
        self,
        session: Session,
        inbound: InboundMessage,
        conversation: Conversation,
        message_id: int,
        replies: list[Reply],
        delivery: Delivery,
        now: datetime,
        *,
        intent: str | None,
    ) -> DispatchResult:
        """Store the replies to an admitted message and say what was done."""
        stored = [
            self._reply_row(conversation, inbound, message_id, reply, delivery, now)
            for reply in replies
        ]
        session.add_all(stored)
        session.flush()
        return DispatchResult(
            inbound_id=message_id,
            citizen_id=conversation.citizen_id,
            conversation_id=conversation.id,
            replies=[row.as_outbound() for row in stored],
            duplicate=False,
            intent=intent,
        )

    def _admit(
        self,
        session: Session,
        inbound: InboundMessage,
        citizen: Citizen,
        text: str | None,
        parse: ParseResult | None,
        now: datetime,
    ) -> tuple[Conversation, int] | DispatchResult:
        """Lock the conversation and store the message: (conversation, message id), or the
        first answer when this is a redelivery."""
        conversation = open_conversation(session, citizen, now, lock=True)
        message_id = self._insert_inbound(session, inbound, citizen, conversation, text, parse, now)
        if message_id is None:
            # A redelivery (or a concurrent worker stored the same message and committed while
            # we waited for the conversation lock): answer as the first time.
            earlier = self._find_inbound(session, inbound)
            assert earlier is not None
            return self._replay(session, earlier)
        citizen.last_channel = inbound.channel.value
        citizen.last_seen_at = now
        return conversation, message_id

    def _insert_inbound(
        self,
        session: Session,
        inbound: InboundMessage,
        citizen: Citizen,
        conversation: Conversation,
        text: str | None,
        parse: ParseResult | None,
        now: datetime,
    ) -> int | None:
        """Store the inbound message; None when the same transport message is already stored.

        INSERT ... ON CONFLICT DO NOTHING instead of a savepoint: one round trip, and a
        redelivery racing the first delivery is detected without aborting the transaction.
        """
        values = {
            "conversation_id": conversation.id,
            "citizen_id": citizen.id,
            "direction": Direction.IN.value,
            "sender": Sender.CITIZEN.value,
            "channel": inbound.channel.value,
            "address": inbound.address,
            "channel_message_id": inbound.channel_message_id,
            "text": text,
            "choices": [],
            "intent": parse["intent"]["name"] if parse is not None else None,
            "confidence": parse["intent"]["confidence"] if parse is not None else None,
            "status": MessageStatus.RECEIVED.value,
            "attempts": 0,
            "created_at": now,
        }
        insert = (
            postgresql_insert
            if session.get_bind().dialect.name == "postgresql"
            else (sqlite_insert)
        )
        statement = (
            insert(Message)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["direction", "channel", "channel_message_id"])
            .returning(Message.id)
        )
        return session.execute(statement).scalar_one_or_none()

    def answer_fixed(
        self,
        inbound: InboundMessage,
        replies: Callable[[Citizen], list[Reply]],
        *,
        delivery: Delivery,
        stored_text: str | None,
        on_citizen: CitizenHook | None = None,
    ) -> DispatchResult:
        """Store an inbound message that needs no NLU (a photo, a shared contact, STOP, /start)
        with fixed replies (``replies(citizen)``, in the citizen's language); a redelivery
        returns the replies stored the first time.

        ``on_citizen`` runs in the same transaction before the conversation is opened and may
        return another citizen (a merge after a shared phone number).
        """
        check_address(inbound.channel.value, inbound.address)
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            if inbound.channel_message_id is not None:
                earlier = self._find_inbound(session, inbound)
                if earlier is not None:
                    return self._replay(session, earlier)  # the hook must not run twice
            citizen = self._identify(session, inbound, now)
            if on_citizen is not None:
                citizen = on_citizen(session, citizen, now)
            admitted = self._admit(session, inbound, citizen, stored_text, None, now)
            if isinstance(admitted, DispatchResult):
                return admitted
            conversation, message_id = admitted
            return self._store_replies(
                session,
                inbound,
                conversation,
                message_id,
                replies(citizen),
                delivery,
                now,
                intent=None,
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
        if intent != "crisis":
            recent = self._recent_inbound_count(session, conversation, now)
            if recent == self.max_messages_per_minute + 1:
                return [Reply(self.content.text(conversation.language, "core.throttled"))]
            if recent > self.max_messages_per_minute:
                return []  # flooding: stored, not answered, until the pace drops
        context = self.context_loader(session, citizen, conversation, inbound.channel.value, now)
        if self.pending_reminder_loader is not None:
            pending = self.pending_reminder_loader(session, citizen.id, now, conversation.language)
            context = replace(context, pending_reminder=pending)
        state = dict(conversation.flow_state or {})
        scope = EffectScope(session, citizen, conversation, now)
        try:
            step: Step = self.flows.step(state, parse, context)
            try:
                self._run_effects(scope, step)
            except SlotTaken as taken:
                # Another citizen booked the slot first: offer fresh times instead.
                context = self.context_loader(
                    session, citizen, conversation, inbound.channel.value, now
                )
                step = self.flows.recover(state, taken.slot_id, context)
                self._run_effects(scope, step)
            conversation.flow_state = step.next_state
        except Exception:
            # The message is kept and the citizen gets a plain apology instead of silence.
            log.exception("flow step failed for conversation %s", conversation.id)
            return [Reply(self.content.text(conversation.language, "core.error"))]
        return list(step.replies)

    def _recent_inbound_count(
        self, session: Session, conversation: Conversation, now: datetime
    ) -> int:
        """Inbound messages of this conversation in the last minute, the current one included."""
        return int(
            session.scalar(
                select(func.count())
                .select_from(Message)
                .where(
                    Message.conversation_id == conversation.id,
                    Message.direction == Direction.IN.value,
                    Message.created_at > now - timedelta(minutes=1),
                )
            )
            or 0
        )

    def _run_effects(self, scope: EffectScope, step: Step) -> None:
        """All of a step's effects or none of them (a savepoint)."""
        if step.effects:
            with scope.session.begin_nested():
                self.effects.run(scope, step.effects)
                scope.session.flush()

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
            replies=[row.as_outbound() for row in rows],
            duplicate=True,
            intent=inbound.intent,
        )

    def _identify(self, session: Session, inbound: InboundMessage, now: datetime) -> Citizen:
        key = (ChannelIdentity.channel == inbound.channel.value) & (
            ChannelIdentity.address == inbound.address
        )
        identity = session.scalars(
            select(ChannelIdentity).where(key).options(joinedload(ChannelIdentity.citizen))
        ).first()
        if identity is not None:
            # Hourly resolution is enough and saves an UPDATE on most messages.
            if now - identity.last_seen_at > timedelta(hours=1):
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

    def _reply_row(
        self,
        conversation: Conversation,
        inbound: InboundMessage,
        inbound_id: int,
        reply: Reply,
        delivery: Delivery,
        now: datetime,
    ) -> Message:
        inline = delivery == Delivery.INLINE
        return Message(
            conversation_id=conversation.id,
            citizen_id=conversation.citizen_id,
            direction=Direction.OUT.value,
            sender=Sender.BOT.value,
            channel=inbound.channel.value,
            address=inbound.address,
            text=reply.text,
            choices=list(reply.choices),
            in_reply_to_id=inbound_id,
            status=(MessageStatus.SENT if inline else MessageStatus.QUEUED).value,
            sent_at=now if inline else None,
            next_attempt_at=None if inline else now,
            attempts=0,
            created_at=now,
        )


ContextLoader = Callable[[Session, Citizen, Conversation, str, datetime], FlowContext]


def basic_context(
    session: Session, citizen: Citizen, conversation: Conversation, channel: str, now: datetime
) -> FlowContext:
    """The context without database look-ups (see bot/flow_context.py for the full one)."""
    return FlowContext(
        now=now, language=conversation.language, channel=channel, citizen_id=citizen.id
    )
