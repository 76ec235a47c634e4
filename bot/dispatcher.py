"""The message pipeline: one inbound message in, its replies out, in one transaction.

dedupe -> identify the citizen -> open conversation (locked) -> store inbound ->
(if a consultant holds it: stop) -> NLU -> flow step -> effects -> store replies.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import Table, bindparam, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from bot.clock import Clock
from bot.conversations import new_conversation, open_conversation
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
    Reminder,
    ReminderStatus,
    Sender,
)
from bot.privacy import mask_cpr
from bot.text import check_address, clean_text
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import FlowContext, SlotTaken, Step
from nlu.types import IntentRecognizer, ParseResult

log = logging.getLogger(__name__)
T = TypeVar("T")

# The statements every message runs, built once with bound parameters: building a statement and
# its cache key costs more Python time than running it (bench/flows_latency.py).
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_IDENTITY = (
    select(ChannelIdentity)
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.address == bindparam("address"),
    )
    .options(joinedload(ChannelIdentity.citizen))
)
# Whether a reminder sent to the citizen still awaits an answer: most messages answer none, and
# then the flows' check for one costs no query (bot/flow_context.py).
_REMINDER_AWAITS_ANSWER = (
    exists()
    .where(
        Reminder.citizen_id == Citizen.id,
        Reminder.status == ReminderStatus.SENT.value,
        Reminder.answered_at.is_(None),
    )
    .label("reminder_awaits_answer")
)
# A known sender's citizen and open conversation in one round trip, the conversation locked
# (FOR UPDATE OF: that row only, so one citizen's messages are handled one at a time). No row
# for a new sender or one whose conversations are all closed: then the long way.
_newest_open = aliased(Conversation)
_KNOWN_SENDER = (
    select(
        ChannelIdentity.id,
        ChannelIdentity.last_seen_at,
        Citizen,
        Conversation,
        _REMINDER_AWAITS_ANSWER,
    )
    .join(Citizen, ChannelIdentity.citizen_id == Citizen.id)
    .join(
        Conversation,
        Conversation.id
        == select(func.max(_newest_open.id))
        .where(
            _newest_open.citizen_id == Citizen.id,
            _newest_open.status != ConversationStatus.CLOSED.value,
        )
        .scalar_subquery(),
    )
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.address == bindparam("address"),
    )
    .with_for_update(of=Conversation)
)
# When a citizen and an address were last seen: hourly resolution is enough and saves an
# UPDATE on most messages.
SEEN_RESOLUTION = timedelta(hours=1)
_IDENTITIES: Table = ChannelIdentity.__table__  # type: ignore[assignment]
_IDENTITY_SEEN = (
    update(_IDENTITIES)
    .where(_IDENTITIES.c.id == bindparam("row_id"))
    .values(last_seen_at=bindparam("last_seen_at"))
)
_INBOUND_KEY = (
    Message.direction == Direction.IN.value,
    Message.channel == bindparam("channel"),
    Message.channel_message_id == bindparam("channel_message_id"),
)
_FIND_INBOUND = select(Message).where(*_INBOUND_KEY)
_REPLIES_TO = select(Message).where(Message.in_reply_to_id == bindparam("inbound_id")).order_by(
    Message.id
)
# A redelivered transport message (same channel and id) is not stored twice.
_INSERT_INBOUND = {
    dialect: insert_for_dialect(_MESSAGES)
    .on_conflict_do_nothing(index_elements=["direction", "channel", "channel_message_id"])
    .returning(_MESSAGES.c.id)
    for dialect, insert_for_dialect in (
        ("postgresql", postgresql_insert),
        ("sqlite", sqlite_insert),
    )
}
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
# The SET clause follows the parameters given (flood count, flow state, updated_at).
_UPDATE_CONVERSATION = update(_CONVERSATIONS).where(_CONVERSATIONS.c.id == bindparam("row_id"))
_INSERT_REPLIES = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)


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
        concurrency: int = 4,
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
        self.concurrency = concurrency
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    async def in_thread(self, work: Callable[[], T]) -> T:
        """Run blocking pipeline work (``handle``, ``answer_fixed``) in a worker thread, at most
        ``concurrency`` at once in this process.

        More threads would not be faster: between database round trips the work holds Python's
        GIL, so extra threads only queue for it, and every message waits longer (bench/load.py
        measured 40, 12, 6, 4, 3 and 2). The pipeline's own thread pool, not anyio's: a hop
        costs half the CPU (36 against 71 microseconds here).

        The work runs to its end even when the caller is cancelled (a client that hung up):
        the message and its replies are stored, and a redelivery gets the same answer.
        """
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.concurrency, thread_name_prefix="dispatch"
                )
            executor = self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, work)

    def close(self) -> None:
        """Stop the worker threads once the work given them is done."""
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

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
            params = {"channel": inbound.channel.value, "address": inbound.address}
            known = session.execute(_KNOWN_SENDER, params).first()
            reminder_awaits_answer = True  # unknown: the flows' context looks
            if known is not None:
                identity_id, last_seen_at, citizen, conversation, reminder_awaits_answer = known
                if now - last_seen_at > SEEN_RESOLUTION:
                    session.connection().execute(
                        _IDENTITY_SEEN, {"row_id": identity_id, "last_seen_at": now}
                    )
            else:
                citizen, signed_up = self._find_or_sign_up(session, inbound, now)
                conversation = None
                if signed_up:
                    # Nothing to look up for a citizen made just now: no conversation to lock
                    # (nobody else can see this one before the commit), no reminder sent.
                    conversation = new_conversation(citizen, now)
                    session.add(conversation)
                    session.flush()
                    reminder_awaits_answer = False
            admitted = self._admit(
                session, inbound, citizen, masked.text, parse, now, conversation=conversation
            )
            if isinstance(admitted, DispatchResult):
                return admitted
            conversation, message_id, writes = admitted

            replies = self._respond(
                session,
                citizen,
                conversation,
                parse,
                inbound,
                now,
                writes,
                reminder_awaits_answer=reminder_awaits_answer,
            )
            if masked.cpr_found:
                notice = self.content.text(conversation.language, "core.cpr_removed")
                # Crisis numbers always come first; the CPR notice can wait.
                crisis = parse["intent"]["name"] == "crisis"
                replies.insert(len(replies) if crisis else 0, Reply(notice))
            _write_conversation(session, conversation, writes, now)
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
        rows = [
            self._reply_row(conversation, inbound, message_id, reply, delivery, now)
            for reply in replies
        ]
        ids: list[int] = []
        if rows:
            # Core, not ORM objects: one INSERT for all replies, and no unit of work to flush.
            ids = list(session.connection().execute(_INSERT_REPLIES, rows).scalars())
        return DispatchResult(
            inbound_id=message_id,
            citizen_id=conversation.citizen_id,
            conversation_id=conversation.id,
            replies=[
                OutboundMessage(
                    id=row_id,
                    channel=inbound.channel,
                    address=inbound.address,
                    text=row["text"],
                    choices=tuple(row["choices"]),
                    citizen_id=conversation.citizen_id,
                )
                for row_id, row in zip(ids, rows, strict=True)
            ],
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
        *,
        conversation: Conversation | None = None,
    ) -> tuple[Conversation, int, dict[str, Any]] | DispatchResult:
        """Lock the conversation (unless ``conversation`` is given locked) and store the
        message: (conversation, message id, the conversation's columns to write), or the first
        answer when this is a redelivery."""
        if conversation is None:
            conversation = open_conversation(session, citizen, now, lock=True)
        message_id = self._insert_inbound(session, inbound, citizen, conversation, text, parse, now)
        if message_id is None:
            # A redelivery (or a concurrent worker stored the same message and committed while
            # we waited for the conversation lock): answer as the first time.
            earlier = self._find_inbound(session, inbound)
            assert earlier is not None
            return self._replay(session, earlier)
        writes = _count_inbound(conversation, now)
        if citizen.last_channel != inbound.channel.value:
            citizen.last_channel = inbound.channel.value
        if now - citizen.last_seen_at > SEEN_RESOLUTION:
            citizen.last_seen_at = now
        return conversation, message_id, writes

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
        statement = _INSERT_INBOUND[session.get_bind().dialect.name]
        connection = session.connection()
        return connection.execute(statement, values).scalar_one_or_none()

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
            conversation, message_id, writes = admitted
            _write_conversation(session, conversation, writes, now)
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
        writes: dict[str, Any],
        *,
        reminder_awaits_answer: bool = True,
    ) -> list[Reply]:
        status = conversation.status
        intent = parse["intent"]["name"]
        if status == ConversationStatus.CONSULTANT:
            return []  # a person holds the conversation: the bot stays silent
        if status == ConversationStatus.WAITING and intent != "crisis":
            return []  # queued for a person; only a crisis still gets the bot's answer
        if intent != "crisis":
            recent = writes["inbound_in_window"]
            if recent == self.max_messages_per_minute + 1:
                return [Reply(self.content.text(conversation.language, "core.throttled"))]
            if recent > self.max_messages_per_minute:
                return []  # flooding: stored, not answered, until the pace drops

        def load_context() -> FlowContext:
            return self.context_loader(
                session,
                citizen,
                conversation,
                inbound.channel.value,
                now,
                reminder_awaits_answer=reminder_awaits_answer,
            )

        context = load_context()
        state = dict(conversation.flow_state or {})
        scope = EffectScope(session, citizen, conversation, now)
        try:
            step: Step = self.flows.step(state, parse, context)
            try:
                self._run_effects(scope, step)
            except SlotTaken as taken:
                # Another citizen booked the slot first: offer fresh times instead.
                step = self.flows.recover(state, taken.slot_id, load_context())
                self._run_effects(scope, step)
            if step.next_state != conversation.flow_state:
                writes["flow_state"] = step.next_state
        except Exception:
            # The message is kept and the citizen gets a plain apology instead of silence.
            log.exception("flow step failed for conversation %s", conversation.id)
            return [Reply(self.content.text(conversation.language, "core.error"))]
        return list(step.replies)

    def _run_effects(self, scope: EffectScope, step: Step) -> None:
        """All of a step's effects or none of them (a savepoint)."""
        if step.effects:
            with scope.session.begin_nested():
                self.effects.run(scope, step.effects)
                scope.session.flush()

    def _find_inbound(self, session: Session, inbound: InboundMessage) -> Message | None:
        params = {
            "channel": inbound.channel.value,
            "channel_message_id": inbound.channel_message_id,
        }
        return session.scalars(_FIND_INBOUND, params).first()

    def _replay(self, session: Session, inbound: Message) -> DispatchResult:
        rows = session.scalars(_REPLIES_TO, {"inbound_id": inbound.id}).all()
        return DispatchResult(
            inbound_id=inbound.id,
            citizen_id=inbound.citizen_id,
            conversation_id=inbound.conversation_id,
            replies=[row.as_outbound() for row in rows],
            duplicate=True,
            intent=inbound.intent,
        )


    def _identify(self, session: Session, inbound: InboundMessage, now: datetime) -> Citizen:
        return self._find_or_sign_up(session, inbound, now)[0]

    def _find_or_sign_up(
        self, session: Session, inbound: InboundMessage, now: datetime
    ) -> tuple[Citizen, bool]:
        """The sender's citizen, and whether this message made them one."""
        params = {"channel": inbound.channel.value, "address": inbound.address}
        identity = session.scalars(_IDENTITY, params).first()
        if identity is not None:
            if now - identity.last_seen_at > SEEN_RESOLUTION:
                identity.last_seen_at = now
            return identity.citizen, False
        language = inbound.language_hint or self.default_language
        try:
            with session.begin_nested():
                citizen = Citizen(
                    language=language,
                    created_at=now,
                    last_seen_at=now,
                    last_channel=inbound.channel.value,
                )
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
            identity = session.scalars(_IDENTITY, params).one()
            return identity.citizen, False
        return citizen, True

    def _reply_row(
        self,
        conversation: Conversation,
        inbound: InboundMessage,
        inbound_id: int,
        reply: Reply,
        delivery: Delivery,
        now: datetime,
    ) -> dict[str, Any]:
        """The ``messages`` row of one reply (its outbox entry when delivery is OUTBOX)."""
        inline = delivery == Delivery.INLINE
        return {
            "conversation_id": conversation.id,
            "citizen_id": conversation.citizen_id,
            "direction": Direction.OUT.value,
            "sender": Sender.BOT.value,
            "channel": inbound.channel.value,
            "address": inbound.address,
            "text": reply.text,
            "choices": list(reply.choices),
            "in_reply_to_id": inbound_id,
            "status": (MessageStatus.SENT if inline else MessageStatus.QUEUED).value,
            "sent_at": now if inline else None,
            "next_attempt_at": None if inline else now,
            "attempts": 0,
            "created_at": now,
        }


FLOOD_WINDOW = timedelta(minutes=1)


def _count_inbound(conversation: Conversation, now: datetime) -> dict[str, Any]:
    """Count an inbound message in the conversation's flood window (a minute from the first
    message of a burst; a message after it starts a new one): the columns to write."""
    started = conversation.inbound_window_started_at
    if started is None or now - started >= FLOOD_WINDOW:
        return {"inbound_window_started_at": now, "inbound_in_window": 1}
    return {"inbound_in_window": (conversation.inbound_in_window or 0) + 1}


def _write_conversation(
    session: Session, conversation: Conversation, writes: dict[str, Any], now: datetime
) -> None:
    """Write the pipeline's columns of the locked conversation row in one Core UPDATE.

    The ORM object takes the values as already stored, so the unit of work has nothing of the
    pipeline's own to flush: on every message that was most of the ORM's cost. Effects still
    change the conversation through the ORM (a handoff, a language); they set other columns.
    """
    if not writes:
        return
    for name, value in writes.items():
        set_committed_value(conversation, name, value)
    set_committed_value(conversation, "updated_at", now)
    session.connection().execute(
        _UPDATE_CONVERSATION, {"row_id": conversation.id, "updated_at": now, **writes}
    )


class ContextLoader(Protocol):
    """Builds the flows' context for one message (bot/flow_context.py).

    ``reminder_awaits_answer`` False says no reminder can be pending, so none is looked up.
    """

    def __call__(
        self,
        session: Session,
        citizen: Citizen,
        conversation: Conversation,
        channel: str,
        now: datetime,
        *,
        reminder_awaits_answer: bool = True,
    ) -> FlowContext: ...


def basic_context(
    session: Session,
    citizen: Citizen,
    conversation: Conversation,
    channel: str,
    now: datetime,
    *,
    reminder_awaits_answer: bool = True,
) -> FlowContext:
    """The context without database look-ups (see bot/flow_context.py for the full one)."""
    return FlowContext(
        now=now, language=conversation.language, channel=channel, citizen_id=citizen.id
    )
