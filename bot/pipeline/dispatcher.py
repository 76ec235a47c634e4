"""The message pipeline: one inbound message in, its replies out, in one transaction.

dedupe -> identify the citizen -> open conversation (locked) -> store inbound ->
(if a consultant holds it: stop) -> NLU -> flow step -> effects -> store replies.

The pipeline reads and writes plain rows (SQLAlchemy Core); only effects use the ORM, loading
the citizen or conversation they change. When something must be undone (an effect failed,
another citizen took the slot first, a concurrent first message made the citizen) the whole
transaction is rolled back and the message handled again, knowing what happened: that costs
nothing on the ordinary message, where a savepoint around every step cost two round trips.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    TextClause,
    bindparam,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.effects import EffectRunner, EffectScope
from bot.kernel.clock import Clock
from bot.kernel.cpr import MaskedText, mask_cpr
from bot.kernel.messages import Channel, InboundMessage, OutboundMessage, Reply
from bot.kernel.text import check_address, clean_text
from bot.pipeline.port import CitizenHook, Delivery, DispatchResult
from bot.store.conversations import OpenConversation
from bot.store.db import MessageTransaction, SessionFactory, message_transaction
from bot.store.models import (
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
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import FlowContext, SlotTaken, Step
from nlu.types import IntentRecognizer, ParseResult

log = logging.getLogger(__name__)
T = TypeVar("T")

# The statements every message runs, built once with bound parameters: building a statement and
# its cache key costs more Python time than running it (bench/flows_latency.py).
_CITIZENS: Table = Citizen.__table__  # type: ignore[assignment]
_IDENTITIES: Table = ChannelIdentity.__table__  # type: ignore[assignment]
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_REMINDERS: Table = Reminder.__table__  # type: ignore[assignment]
_CLOSED = ConversationStatus.CLOSED.value

# The columns of OpenConversation, labelled with its field names.
_CITIZEN_COLUMNS = (
    _CITIZENS.c.id.label("citizen_id"),
    _CITIZENS.c.last_channel,
    _CITIZENS.c.last_seen_at.label("citizen_seen_at"),
    _CITIZENS.c.reminders_opted_out,
)
_CONVERSATION_COLUMNS = (
    _CONVERSATIONS.c.id.label("conversation_id"),
    _CONVERSATIONS.c.status,
    _CONVERSATIONS.c.language,
    _CONVERSATIONS.c.flow_state,
    _CONVERSATIONS.c.inbound_window_started_at,
    _CONVERSATIONS.c.inbound_in_window,
)
# Whether a reminder sent to the citizen still awaits an answer: most messages answer none, and
# then the flows' check for one costs no query (bot/pipeline/context.py).
_REMINDER_AWAITS_ANSWER = (
    exists()
    .where(
        _REMINDERS.c.citizen_id == _CITIZENS.c.id,
        _REMINDERS.c.status == ReminderStatus.SENT.value,
        _REMINDERS.c.answered_at.is_(None),
    )
    .label("reminder_awaits_answer")
)
# A known sender's citizen and open conversation in one round trip, the conversation locked
# (FOR UPDATE OF: that row only, so one citizen's messages are handled one at a time). No row
# for a new sender or one whose conversations are all closed: then the long way.
_newest_open = _CONVERSATIONS.alias("newest_open")
_KNOWN_SENDER = (
    select(
        _IDENTITIES.c.id.label("identity_id"),
        _IDENTITIES.c.last_seen_at.label("identity_seen_at"),
        *_CITIZEN_COLUMNS,
        *_CONVERSATION_COLUMNS,
        _REMINDER_AWAITS_ANSWER,
    )
    .select_from(
        _IDENTITIES.join(_CITIZENS, _IDENTITIES.c.citizen_id == _CITIZENS.c.id).join(
            _CONVERSATIONS,
            _CONVERSATIONS.c.id
            == select(func.max(_newest_open.c.id))
            .where(_newest_open.c.citizen_id == _CITIZENS.c.id, _newest_open.c.status != _CLOSED)
            .scalar_subquery(),
        )
    )
    .where(
        _IDENTITIES.c.channel == bindparam("channel"),
        _IDENTITIES.c.address == bindparam("address"),
    )
    .with_for_update(of=_CONVERSATIONS)
)
_IDENTITY = select(_IDENTITIES.c.id, _IDENTITIES.c.citizen_id, _IDENTITIES.c.last_seen_at).where(
    _IDENTITIES.c.channel == bindparam("channel"),
    _IDENTITIES.c.address == bindparam("address"),
)
_CITIZEN = select(*_CITIZEN_COLUMNS, _CITIZENS.c.language).where(
    _CITIZENS.c.id == bindparam("citizen_id")
)
_OPEN_CONVERSATION = (
    select(*_CONVERSATION_COLUMNS)
    .where(
        _CONVERSATIONS.c.citizen_id == bindparam("citizen_id"),
        _CONVERSATIONS.c.status != _CLOSED,
    )
    .order_by(_CONVERSATIONS.c.id.desc())
    .limit(1)
    .with_for_update()
)
_INSERT_CITIZEN = insert(_CITIZENS).returning(_CITIZENS.c.id)
_INSERT_CONVERSATION = insert(_CONVERSATIONS).returning(_CONVERSATIONS.c.id)
# When a citizen and an address were last seen: hourly resolution is enough and saves an
# UPDATE on most messages.
SEEN_RESOLUTION = timedelta(hours=1)
_IDENTITY_SEEN = (
    update(_IDENTITIES)
    .where(_IDENTITIES.c.id == bindparam("row_id"))
    .values(last_seen_at=bindparam("last_seen_at"))
)
# The SET clauses follow the parameters given.
_UPDATE_CITIZEN = update(_CITIZENS).where(_CITIZENS.c.id == bindparam("row_id"))
_UPDATE_CONVERSATION = update(_CONVERSATIONS).where(_CONVERSATIONS.c.id == bindparam("row_id"))
_INBOUND_KEY = (
    Message.direction == Direction.IN.value,
    Message.channel == bindparam("channel"),
    Message.channel_message_id == bindparam("channel_message_id"),
)
_FIND_INBOUND = select(Message).where(*_INBOUND_KEY)
_REPLIES_TO = (
    select(Message).where(Message.in_reply_to_id == bindparam("inbound_id")).order_by(Message.id)
)


def _for_each_dialect(make: Callable[[Any], Any]) -> dict[str, Any]:
    return {"postgresql": make(postgresql_insert), "sqlite": make(sqlite_insert)}


# A redelivered transport message (same channel and id) is not stored twice; a concurrent first
# message from the same address makes the identity only once.
_INSERT_INBOUND = _for_each_dialect(
    lambda insert_for_dialect: (
        insert_for_dialect(_MESSAGES)
        .on_conflict_do_nothing(index_elements=["direction", "channel", "channel_message_id"])
        .returning(_MESSAGES.c.id)
    )
)
_INSERT_IDENTITY = _for_each_dialect(
    lambda insert_for_dialect: (
        insert_for_dialect(_IDENTITIES)
        .on_conflict_do_nothing(index_elements=["channel", "address"])
        .returning(_IDENTITIES.c.id)
    )
)
_INSERT_REPLIES = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)
# The columns of a reply's row (Dispatcher._reply_row).
_REPLY_COLUMNS = (
    "conversation_id",
    "citizen_id",
    "direction",
    "sender",
    "channel",
    "address",
    "text",
    "choices",
    "in_reply_to_id",
    "status",
    "sent_at",
    "next_attempt_at",
    "attempts",
    "created_at",
)
# A message is handled at most this many times (a lost sign-up race, a slot taken meanwhile, and
# a failed recovery from it each start it over once).
MAX_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class Attempt:
    """How to handle a message this time, after the attempts before were rolled back."""

    # Another citizen booked this slot first: offer fresh times instead of the flow's step.
    taken_slot: int | None = None
    # The flow or its effects failed: keep the message and apologise, without the flow.
    failed: bool = False


class StartOver(Exception):
    """Roll the transaction back and handle the message again as ``attempt`` says (None: the
    same way, e.g. after losing a race to make the citizen)."""

    def __init__(self, attempt: Attempt | None = None) -> None:
        super().__init__("start over")
        self.attempt = attempt


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
        concurrency: int = 2,
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

    @property
    def engine(self) -> Engine:
        """The database the messages go to: the session factory's, whatever it is now."""
        engine: Engine = self.session_factory.kw["bind"]
        return engine

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
        return self._attempts(
            lambda db, attempt: self._handle(db, inbound, masked, parse, now, delivery, attempt)
        )

    def _attempts(
        self, work: Callable[[MessageTransaction, Attempt], DispatchResult]
    ) -> DispatchResult:
        """Run ``work`` in a transaction; when it asks to start over, roll back and run again."""
        attempt = Attempt()
        for _ in range(MAX_ATTEMPTS):
            try:
                with message_transaction(self.engine) as db:
                    return work(db, attempt)
            except StartOver as again:
                attempt = again.attempt or attempt
        raise RuntimeError(f"a message was started over {MAX_ATTEMPTS} times")

    def _handle(
        self,
        db: MessageTransaction,
        inbound: InboundMessage,
        masked: MaskedText,
        parse: ParseResult,
        now: datetime,
        delivery: Delivery,
        attempt: Attempt,
    ) -> DispatchResult:
        connection = db.connection
        params = {"channel": inbound.channel.value, "address": inbound.address}
        known = connection.execute(_KNOWN_SENDER, params).first()
        if known is not None:
            if now - known.identity_seen_at > SEEN_RESOLUTION:
                connection.execute(
                    _IDENTITY_SEEN, {"row_id": known.identity_id, "last_seen_at": now}
                )
            conversation = _open_conversation_of(
                known, known, reminder_awaits_answer=bool(known.reminder_awaits_answer)
            )
        else:
            citizen_id, signed_up = self._identify(connection, inbound, now)
            conversation = self._open(connection, inbound, citizen_id, now, signed_up=signed_up)
        admitted = self._admit(db, inbound, conversation, masked.text, parse, now)
        if isinstance(admitted, DispatchResult):
            return admitted
        message_id, writes = admitted
        intent = parse["intent"]["name"]
        replies, language = self._respond(db, conversation, parse, inbound, now, writes, attempt)
        if masked.cpr_found:
            notice = self.content.text(language, "core.cpr_removed")
            # Crisis numbers always come first; the CPR notice can wait.
            replies.insert(len(replies) if intent == "crisis" else 0, Reply(notice))
        return self._store_replies(
            connection,
            inbound,
            conversation,
            message_id,
            replies,
            delivery,
            now,
            writes,
            intent=intent,
        )

    def answer_fixed(
        self,
        inbound: InboundMessage,
        replies: Callable[[str], list[Reply]],
        *,
        delivery: Delivery,
        stored_text: str | None,
        on_citizen: CitizenHook | None = None,
    ) -> DispatchResult:
        """Store an inbound message that needs no NLU (a photo, a shared contact, STOP, /start)
        with fixed replies (``replies(language)``, in the citizen's language); a redelivery
        returns the replies stored the first time.

        ``on_citizen`` runs in the same transaction before the conversation is opened and may
        return another citizen (a merge after a shared phone number).
        """
        check_address(inbound.channel.value, inbound.address)
        now = self.clock.now()

        def answer(db: MessageTransaction, _attempt: Attempt) -> DispatchResult:
            if inbound.channel_message_id is not None:
                earlier = self._find_inbound(db.session, inbound)
                if earlier is not None:
                    return self._replay(db.session, earlier)  # the hook must not run twice
            connection = db.connection
            citizen_id, signed_up = self._identify(connection, inbound, now)
            if on_citizen is not None:
                citizen = db.session.get(Citizen, citizen_id)
                assert citizen is not None
                citizen = on_citizen(db.session, citizen, now)
                db.flush()  # what the hook changed, before the rows are read below
                signed_up, citizen_id = signed_up and citizen.id == citizen_id, citizen.id
            conversation = self._open(connection, inbound, citizen_id, now, signed_up=signed_up)
            admitted = self._admit(db, inbound, conversation, stored_text, None, now)
            if isinstance(admitted, DispatchResult):
                return admitted
            message_id, writes = admitted
            return self._store_replies(
                connection,
                inbound,
                conversation,
                message_id,
                replies(conversation.language),
                delivery,
                now,
                writes,
                intent=None,
            )

        return self._attempts(answer)

    def _identify(
        self, connection: Connection, inbound: InboundMessage, now: datetime
    ) -> tuple[int, bool]:
        """The sender's citizen id, and whether this message made them a citizen."""
        params = {"channel": inbound.channel.value, "address": inbound.address}
        identity = connection.execute(_IDENTITY, params).first()
        if identity is not None:
            if now - identity.last_seen_at > SEEN_RESOLUTION:
                connection.execute(_IDENTITY_SEEN, {"row_id": identity.id, "last_seen_at": now})
            return identity.citizen_id, False
        try:
            citizen_id = connection.execute(
                _INSERT_CITIZEN,
                {
                    "language": self._language_of(inbound),
                    "phone": inbound.address if inbound.channel == Channel.SMS else None,
                    "last_channel": inbound.channel.value,
                    "created_at": now,
                    "last_seen_at": now,
                },
            ).scalar_one()
            identity_id = connection.execute(
                _INSERT_IDENTITY[connection.dialect.name],
                {**params, "citizen_id": citizen_id, "created_at": now, "last_seen_at": now},
            ).scalar_one_or_none()
        except IntegrityError as exc:
            # A concurrent first message from the same number made the citizen first.
            raise StartOver() from exc
        if identity_id is None:
            raise StartOver()  # the same, seen on the address: ours is rolled back
        return citizen_id, True

    def _open(
        self,
        connection: Connection,
        inbound: InboundMessage,
        citizen_id: int,
        now: datetime,
        *,
        signed_up: bool,
    ) -> OpenConversation:
        """The citizen's newest conversation that is not closed, locked, or a new one."""
        if signed_up:
            # Made just now: the citizen is what was inserted, with no conversation to look for
            # (nobody else can see them before the commit) and no reminder sent.
            language = self._language_of(inbound)
            last_channel: str | None = inbound.channel.value
            seen_at, opted_out = now, False
        else:
            citizen = connection.execute(_CITIZEN, {"citizen_id": citizen_id}).one()
            found = connection.execute(_OPEN_CONVERSATION, {"citizen_id": citizen_id}).first()
            if found is not None:
                return _open_conversation_of(citizen, found)
            language, last_channel = citizen.language, citizen.last_channel
            seen_at, opted_out = citizen.citizen_seen_at, bool(citizen.reminders_opted_out)
        conversation_id = connection.execute(
            _INSERT_CONVERSATION,
            {
                "citizen_id": citizen_id,
                "status": ConversationStatus.BOT.value,
                "flow_state": {},
                "language": language,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
        return OpenConversation(
            citizen_id=citizen_id,
            conversation_id=conversation_id,
            status=ConversationStatus.BOT.value,
            language=language,
            flow_state={},
            last_channel=last_channel,
            citizen_seen_at=seen_at,
            reminders_opted_out=opted_out,
            reminder_awaits_answer=not signed_up,
        )

    def _language_of(self, inbound: InboundMessage) -> str:
        """A new citizen's language: what their app says, else the jobcenter's."""
        return inbound.language_hint or self.default_language

    def _admit(
        self,
        db: MessageTransaction,
        inbound: InboundMessage,
        conversation: OpenConversation,
        text: str | None,
        parse: ParseResult | None,
        now: datetime,
    ) -> tuple[int, dict[str, Any]] | DispatchResult:
        """Store the message in the locked conversation: (message id, the conversation's
        columns to write), or the first answer when this is a redelivery."""
        connection = db.connection
        message_id = self._insert_inbound(connection, inbound, conversation, text, parse, now)
        if message_id is None:
            # A redelivery (or a concurrent worker stored the same message and committed while
            # we waited for the conversation lock): answer as the first time.
            earlier = self._find_inbound(db.session, inbound)
            assert earlier is not None
            return self._replay(db.session, earlier)
        citizen_writes: dict[str, Any] = {}
        if conversation.last_channel != inbound.channel.value:
            citizen_writes["last_channel"] = inbound.channel.value
        if now - conversation.citizen_seen_at > SEEN_RESOLUTION:
            citizen_writes["last_seen_at"] = now
        if citizen_writes:
            connection.execute(
                _UPDATE_CITIZEN, {"row_id": conversation.citizen_id, **citizen_writes}
            )
        return message_id, _count_inbound(conversation, now)

    def _insert_inbound(
        self,
        connection: Connection,
        inbound: InboundMessage,
        conversation: OpenConversation,
        text: str | None,
        parse: ParseResult | None,
        now: datetime,
    ) -> int | None:
        """Store the inbound message; None when the same transport message is already stored.

        INSERT ... ON CONFLICT DO NOTHING instead of a savepoint: one round trip, and a
        redelivery racing the first delivery is detected without aborting the transaction.
        """
        values = {
            "conversation_id": conversation.conversation_id,
            "citizen_id": conversation.citizen_id,
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
        statement = _INSERT_INBOUND[connection.dialect.name]
        return connection.execute(statement, values).scalar_one_or_none()

    def _respond(
        self,
        db: MessageTransaction,
        conversation: OpenConversation,
        parse: ParseResult,
        inbound: InboundMessage,
        now: datetime,
        writes: dict[str, Any],
        attempt: Attempt,
    ) -> tuple[list[Reply], str]:
        """The replies to an admitted message, and the conversation's language after it."""
        language = conversation.language
        intent = parse["intent"]["name"]
        if conversation.status == ConversationStatus.CONSULTANT:
            return [], language  # a person holds the conversation: the bot stays silent
        if conversation.status == ConversationStatus.WAITING and intent != "crisis":
            return [], language  # queued for a person; only a crisis still gets the bot's answer
        if intent != "crisis":
            recent = writes["inbound_in_window"]
            if recent == self.max_messages_per_minute + 1:
                return [Reply(self.content.text(language, "core.throttled"))], language
            if recent > self.max_messages_per_minute:
                return [], language  # flooding: stored, not answered, until the pace drops
        if attempt.failed:
            # The message is kept and the citizen gets a plain apology instead of silence.
            return [Reply(self.content.text(language, "core.error"))], language

        state = dict(conversation.flow_state or {})
        scope = EffectScope(db, conversation.citizen_id, conversation.conversation_id, now)
        try:
            context = self.context_loader(db, conversation, inbound.channel.value, now)
            step: Step
            if attempt.taken_slot is not None:
                step = self.flows.recover(state, attempt.taken_slot, context)
            else:
                step = self.flows.step(state, parse, context)
            if step.effects:
                self.effects.run(scope, step.effects)
                db.flush()  # a failing write fails here, not at the commit
        except SlotTaken as taken:
            if attempt.taken_slot is None:
                # Another citizen booked the slot first: offer fresh times instead.
                raise StartOver(Attempt(taken_slot=taken.slot_id)) from taken
            log.warning(
                "slot %s was taken twice in conversation %s",
                taken.slot_id,
                conversation.conversation_id,
            )
            raise StartOver(Attempt(failed=True)) from taken
        except Exception as exc:
            log.exception("flow step failed for conversation %s", conversation.conversation_id)
            raise StartOver(Attempt(failed=True)) from exc
        if step.next_state != conversation.flow_state:
            writes["flow_state"] = step.next_state
        return list(step.replies), scope.language_after(language)

    def _store_replies(
        self,
        connection: Connection,
        inbound: InboundMessage,
        conversation: OpenConversation,
        message_id: int,
        replies: list[Reply],
        delivery: Delivery,
        now: datetime,
        writes: dict[str, Any],
        *,
        intent: str | None,
    ) -> DispatchResult:
        """Write the conversation's columns, store the replies to an admitted message and say
        what was done."""
        rows = [
            self._reply_row(conversation, inbound, message_id, reply, delivery, now)
            for reply in replies
        ]
        ids = _write_conversation_and_replies(
            connection, conversation.conversation_id, writes, rows, now
        )
        citizen_id = conversation.citizen_id
        return DispatchResult(
            inbound_id=message_id,
            citizen_id=citizen_id,
            conversation_id=conversation.conversation_id,
            replies=[
                OutboundMessage(
                    id=row_id,
                    channel=inbound.channel,
                    address=inbound.address,
                    text=row["text"],
                    choices=tuple(row["choices"]),
                    citizen_id=citizen_id,
                )
                for row_id, row in zip(ids, rows, strict=True)
            ],
            duplicate=False,
            intent=intent,
        )

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

    def _reply_row(
        self,
        conversation: OpenConversation,
        inbound: InboundMessage,
        inbound_id: int,
        reply: Reply,
        delivery: Delivery,
        now: datetime,
    ) -> dict[str, Any]:
        """The ``messages`` row of one reply (its outbox entry when delivery is OUTBOX)."""
        inline = delivery == Delivery.INLINE
        return {
            "conversation_id": conversation.conversation_id,
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


def _open_conversation_of(
    citizen: Any, conversation: Any, *, reminder_awaits_answer: bool = True
) -> OpenConversation:
    """The pipeline's view of a sender from a row of the citizen's columns and one of the
    conversation's (the same row for a known sender)."""
    return OpenConversation(
        citizen_id=citizen.citizen_id,
        conversation_id=conversation.conversation_id,
        status=conversation.status,
        language=conversation.language,
        flow_state=conversation.flow_state,
        last_channel=citizen.last_channel,
        citizen_seen_at=citizen.citizen_seen_at,
        reminders_opted_out=bool(citizen.reminders_opted_out),
        inbound_window_started_at=conversation.inbound_window_started_at,
        inbound_in_window=conversation.inbound_in_window or 0,
        reminder_awaits_answer=reminder_awaits_answer,
    )


FLOOD_WINDOW = timedelta(minutes=1)


def _count_inbound(conversation: OpenConversation, now: datetime) -> dict[str, Any]:
    """Count an inbound message in the conversation's flood window (a minute from the first
    message of a burst; a message after it starts a new one): the columns to write."""
    started = conversation.inbound_window_started_at
    if started is None or now - started >= FLOOD_WINDOW:
        return {"inbound_window_started_at": now, "inbound_in_window": 1}
    return {"inbound_in_window": conversation.inbound_in_window + 1}


def _write_conversation_and_replies(
    connection: Connection,
    conversation_id: int,
    writes: dict[str, Any],
    replies: list[dict[str, Any]],
    now: datetime,
) -> list[int]:
    """Write the pipeline's columns of the locked conversation row (the flood count, the flow
    state) and insert the replies' rows; return the replies' ids in order.

    On PostgreSQL one statement does both (the UPDATE as a data-modifying WITH): a round trip
    fewer on every message. Effects change other columns of the conversation through the ORM
    (a handoff, a language), flushed before this.
    """
    params = {"row_id": conversation_id, "updated_at": now, **writes}
    if replies and connection.dialect.name == "postgresql":
        statement = _conversation_and_replies(tuple(writes), len(replies))
        for index, row in enumerate(replies):
            params.update({f"{name}_{index}": value for name, value in row.items()})
        # Ids come from the sequence row by row, in the order of the VALUES list.
        return sorted(connection.execute(statement, params).scalars())
    connection.execute(_UPDATE_CONVERSATION, params)
    if not replies:
        return []
    return list(connection.execute(_INSERT_REPLIES, replies).scalars())


@functools.lru_cache(maxsize=128)
def _conversation_and_replies(write_names: tuple[str, ...], count: int) -> TextClause:
    """``WITH (UPDATE conversations ...) INSERT INTO messages VALUES (...) x count``, built once
    per shape. Text with typed parameters, because SQLAlchemy compiles a multi-row INSERT with
    a WITH afresh on every execution, which cost more than the round trip it saves. Every name
    in it comes from the constants above, none from a message."""
    written = (*write_names, "updated_at")
    assignments = ", ".join(f"{name} = :{name}" for name in written)
    rows = ", ".join(
        "(" + ", ".join(f":{name}_{index}" for name in _REPLY_COLUMNS) + ")"
        for index in range(count)
    )
    statement = text(
        "WITH conversation_written AS ("  # noqa: S608 - names from constants, values bound
        f"UPDATE conversations SET {assignments} WHERE id = :row_id) "
        f"INSERT INTO messages ({', '.join(_REPLY_COLUMNS)}) VALUES {rows} RETURNING id"
    )
    return statement.bindparams(
        bindparam("row_id", type_=_CONVERSATIONS.c.id.type),
        *(bindparam(name, type_=_CONVERSATIONS.c[name].type) for name in written),
        *(
            bindparam(f"{name}_{index}", type_=_MESSAGES.c[name].type)
            for index in range(count)
            for name in _REPLY_COLUMNS
        ),
    )


class ContextLoader(Protocol):
    """Builds the flows' context for one message (bot/pipeline/context.py)."""

    def __call__(
        self, work: MessageTransaction, conversation: OpenConversation, channel: str, now: datetime
    ) -> FlowContext: ...


def basic_context(
    work: MessageTransaction, conversation: OpenConversation, channel: str, now: datetime
) -> FlowContext:
    """The context without database look-ups (see bot/pipeline/context.py for the full one)."""
    return FlowContext(
        now=now, language=conversation.language, channel=channel, citizen_id=conversation.citizen_id
    )
