"""The message pipeline: one inbound message in, its replies out, in one transaction.

dedupe -> identify the citizen -> open conversation (locked) -> store inbound ->
(if a consultant holds it: stop) -> NLU -> flow step -> effects -> store replies.

This module puts the steps in order; each lives in its own module of ``bot/pipeline/``. The
pipeline reads and writes plain rows (SQLAlchemy Core); only effects use the ORM, loading the
citizen or conversation they change. A step that must be undone starts the message over
(``attempts.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine

from bot.domain.effects import EffectRunner
from bot.kernel.clock import Clock
from bot.kernel.cpr import MaskedText, mask_cpr
from bot.kernel.markup import markup_to_text
from bot.kernel.messages import InboundMessage, Reply
from bot.kernel.text import check_address, check_transport_id
from bot.pipeline.admission import count_inbound, held_back, with_cpr_notice
from bot.pipeline.attachments import (
    caption,
    nothing_kept_to_read,
    refusals,
    store_attachments,
    with_attachments,
)
from bot.pipeline.attempts import Attempt, in_attempts
from bot.pipeline.flow_step import ContextLoader, basic_context, step_flows
from bot.pipeline.identify import (
    identify,
    known_sender,
    note_citizen_seen,
    open_conversation_locked,
    wrote_before,
)
from bot.pipeline.port import CitizenHook, Delivery, DispatchResult
from bot.pipeline.replay import find_inbound, replay_to
from bot.pipeline.storage import insert_inbound, store_replies
from bot.runtime import metrics
from bot.runtime.threads import ThreadPool, run_blocking
from bot.store.conversations import OpenConversation
from bot.store.db import MessageTransaction, SessionFactory
from bot.store.models import Citizen
from flows.content import Content
from flows.engine import FlowEngine
from nlu.types import FALLBACK_INTENT, IntentRecognizer, ParseResult, empty_result

T = TypeVar("T")


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
        attachment_max_bytes: int = 10_000_000,
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
        self._threads = ThreadPool(concurrency, name="dispatch")
        self.attachment_max_bytes = attachment_max_bytes

    @property
    def engine(self) -> Engine:
        """The database the messages go to: the session factory's, whatever it is now."""
        engine: Engine = self.session_factory.kw["bind"]
        return engine

    @property
    def concurrency(self) -> int:
        """How many messages are worked on at once (set before the first one)."""
        return self._threads.max_workers

    @concurrency.setter
    def concurrency(self, value: int) -> None:
        self._threads.max_workers = value

    async def in_thread(self, work: Callable[[], T]) -> T:
        """Run blocking pipeline work (``handle``, ``answer_fixed``) in a worker thread, at most
        ``concurrency`` at once in this process.

        More threads would not be faster: between database round trips the work holds Python's
        GIL, so extra threads only queue for it, and every message waits longer. The pipeline's
        own thread pool, not anyio's: a hop to it costs about half the CPU.

        The work runs to its end even when the caller is cancelled (a client that hung up):
        the message and its replies are stored, and a redelivery gets the same answer.
        """
        return await run_blocking(work, pool=self._threads)

    def close(self) -> None:
        """Stop the worker threads once the work given them is done."""
        self._threads.close()

    def handle(self, inbound: InboundMessage, *, delivery: Delivery) -> DispatchResult:
        """Handle one inbound message; a redelivery returns the replies stored the first time.

        Raises:
            InvalidMessage: the text is empty or too long, or the transport id is another
                sender's (``ForeignRedelivery``): nothing is stored.
        """
        check_address(inbound.channel.value, inbound.address)
        check_transport_id(inbound.channel_message_id)
        text = caption(inbound, max_chars=self.max_text_chars)
        masked = mask_cpr(text)
        now = self.clock.now()
        # The NLU reads the text a browser would show, not the words inside tags; a message of
        # markup alone is not read at all (``_respond`` answers it plainly).
        readable = markup_to_text(masked.text)
        # NLU is pure and CPU-bound: run it before the transaction so no lock waits on it.
        parse = self.recognizer.parse(readable, now=now) if readable else empty_result("")
        result = in_attempts(
            self.engine,
            lambda db, attempt: self._handle(db, inbound, masked, parse, now, delivery, attempt),
        )
        _count(inbound, result, delivery)
        return result

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
        conversation = known_sender(connection, inbound, now)
        if conversation is None:
            # Before a new sender becomes a citizen: is this a message stored already?
            earlier = find_inbound(db.session, inbound)
            if earlier is not None:
                return replay_to(db.session, earlier, inbound)
            citizen_id, signed_up = identify(
                connection, inbound, now, language=self._language_of(inbound)
            )
            conversation = self._open(db, inbound, citizen_id, now, signed_up=signed_up)
            conversation.first_contact = signed_up or not wrote_before(connection, inbound)
        conversation.replies_to = inbound.replies_to
        admitted = self._admit(db, inbound, conversation, masked.text, parse, now)
        if isinstance(admitted, DispatchResult):
            return admitted
        message_id, writes = admitted
        intent = parse["intent"]["name"]
        replies, language = self._respond(db, conversation, parse, inbound, now, writes, attempt)
        if masked.cpr_found:
            replies = with_cpr_notice(replies, intent, language, self.content)
        return store_replies(
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

        Raises:
            InvalidMessage: as :meth:`handle`.
        """
        check_address(inbound.channel.value, inbound.address)
        check_transport_id(inbound.channel_message_id)
        now = self.clock.now()

        def answer(db: MessageTransaction, _attempt: Attempt) -> DispatchResult:
            earlier = find_inbound(db.session, inbound)
            if earlier is not None:
                return replay_to(db.session, earlier, inbound)  # the hook must not run twice
            citizen_id, signed_up = identify(
                db.connection, inbound, now, language=self._language_of(inbound)
            )
            if on_citizen is not None:
                citizen = db.session.get(Citizen, citizen_id)
                assert citizen is not None
                citizen = on_citizen(db.session, citizen, now)
                db.flush()  # what the hook changed, before the rows are read below
                signed_up, citizen_id = signed_up and citizen.id == citizen_id, citizen.id
            conversation = self._open(db, inbound, citizen_id, now, signed_up=signed_up)
            admitted = self._admit(db, inbound, conversation, stored_text, None, now)
            if isinstance(admitted, DispatchResult):
                return admitted
            message_id, writes = admitted
            return store_replies(
                db.connection,
                inbound,
                conversation,
                message_id,
                replies(conversation.language),
                delivery,
                now,
                writes,
                intent=None,
            )

        result = in_attempts(self.engine, answer)
        _count(inbound, result, delivery)
        return result

    def _language_of(self, inbound: InboundMessage) -> str:
        """A new citizen's language: what their app says, else the jobcenter's."""
        return inbound.language_hint or self.default_language

    def _open(
        self,
        db: MessageTransaction,
        inbound: InboundMessage,
        citizen_id: int,
        now: datetime,
        *,
        signed_up: bool,
    ) -> OpenConversation:
        return open_conversation_locked(
            db.connection,
            inbound,
            citizen_id,
            now,
            signed_up=signed_up,
            language=self._language_of(inbound),
        )

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
        message_id = insert_inbound(db.connection, inbound, conversation, text, parse, now)
        if message_id is None:
            # A redelivery (or a concurrent worker stored the same message and committed while
            # we waited for the conversation lock): answer as the first time.
            earlier = find_inbound(db.session, inbound)
            assert earlier is not None
            return replay_to(db.session, earlier, inbound)
        note_citizen_seen(db.connection, inbound, conversation, now)
        if inbound.attachments:
            store_attachments(db.connection, inbound, conversation.citizen_id, message_id, now)
        return message_id, count_inbound(conversation, now)

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
        held = held_back(
            conversation,
            parse["intent"]["name"],
            writes["inbound_in_window"],
            max_per_minute=self.max_messages_per_minute,
            content=self.content,
        )
        if held is not None:
            return held, language
        if inbound.attachments:
            return self._respond_with_files(db, conversation, parse, inbound, now, writes, attempt)
        if not parse["text"]:
            # Markup and nothing else: a plain answer, never an intent with effects.
            return [Reply(self.content.text(language, "core.fallback"))], language
        if attempt.failed:
            # The message is kept and the citizen gets a plain apology instead of silence.
            return [Reply(self.content.text(language, "core.error"))], language
        return self._step(
            db, conversation, parse, inbound, now, writes, attempt, self.context_loader
        )

    def _step(
        self,
        db: MessageTransaction,
        conversation: OpenConversation,
        parse: ParseResult,
        inbound: InboundMessage,
        now: datetime,
        writes: dict[str, Any],
        attempt: Attempt,
        context_loader: ContextLoader,
    ) -> tuple[list[Reply], str]:
        """The flows' answer; their next state goes into ``writes``."""
        answer = step_flows(
            db,
            conversation,
            parse,
            inbound.channel.value,
            now,
            attempt,
            flows=self.flows,
            effects=self.effects,
            context_loader=context_loader,
        )
        if answer.next_state is not None:
            writes["flow_state"] = answer.next_state
        return answer.replies, answer.language

    def _respond_with_files(
        self,
        db: MessageTransaction,
        conversation: OpenConversation,
        parse: ParseResult,
        inbound: InboundMessage,
        now: datetime,
        writes: dict[str, Any],
        attempt: Attempt,
    ) -> tuple[list[Reply], str]:
        """A message with files: a refused file is said first, then the flows read the rest
        (the receipt, a sick note's absence notice, the caption)."""
        language = conversation.language
        refused = refusals(inbound, language, self.content, self.attachment_max_bytes)
        if nothing_kept_to_read(inbound, parse["text"]) or attempt.failed:
            error = [] if not attempt.failed else [Reply(self.content.text(language, "core.error"))]
            return refused + error, language
        loader = with_attachments(self.context_loader, inbound)
        replies, language = self._step(
            db, conversation, parse, inbound, now, writes, attempt, loader
        )
        return refused + replies, language


def _count(inbound: InboundMessage, result: DispatchResult, delivery: Delivery) -> None:
    """The message's counters for ``/metrics`` (a redelivery counts nothing again)."""
    if result.duplicate:
        return
    channel = inbound.channel.value
    metrics.MESSAGES_IN.labels(channel=channel).inc()
    if result.intent is not None:
        metrics.INTENTS.labels(intent=result.intent).inc()
        if result.intent == FALLBACK_INTENT:
            metrics.LOW_CONFIDENCE.inc()
    if delivery != Delivery.OUTBOX and result.replies:
        metrics.MESSAGES_OUT.labels(channel=channel).inc(len(result.replies))
