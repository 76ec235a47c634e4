"""The outbox sender: delivers queued outbound messages with rate limits, retries and no repeats.

Every outbound Telegram or SMS message is a ``messages`` row (direction ``out``) before anything
leaves the process. The sender takes one row at a time:

1. **Claim** (one short transaction): ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite
   serialises writers with ``BEGIN IMMEDIATE``) a due ``queued`` row whose chat has no earlier
   row still queued or sending, and mark it ``sending`` with ``claimed_until`` and one more
   attempt. Several processes on one database never claim the same row, and one chat's messages
   leave in order.
2. **Send** it through the channel's transport (nothing is held open meanwhile).
3. **Record** the outcome: ``sent`` with the provider's id; back to ``queued`` with a backoff
   that honours ``Retry-After`` for 429/5xx; ``failed`` with ``last_error`` after
   ``outbox.max_attempts`` tries or when the provider refuses the message.

Delivery is **at most once**. Neither Telegram nor Twilio accepts an idempotency key, so a row
found ``sending`` after ``claimed_until`` (the sender died mid-call, or the call timed out after
the request left) may or may not have reached the provider. Such a row is never simply resent:
the transport is asked to *prove* the outcome (Twilio can: the message list shows whether it was
accepted; it is then marked ``sent``, or queued again when it provably was not). When there is no
proof (Telegram has no message history for bots) the row becomes ``failed`` with a
"delivery unknown" ``last_error``, which the consultant inbox shows for a person to check. Nothing
is silently lost and nothing is sent twice. The window is one HTTP call per crash.

Rate limits are per process: run one sender per deployment, or divide the limits.
Channel ``web`` is not sent (the browser pulls it); SMS to a citizen who sent STOP is marked
``failed`` with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.kernel.clock import Clock
from bot.kernel.messages import Channel, OutboundMessage
from bot.runtime.config import OutboxSettings
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory, transaction
from bot.store.models import Citizen, Direction, Message, MessageStatus

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0
MAX_ERROR_CHARS = 500
DELIVERY_UNKNOWN = (
    "delivery unknown: the sender stopped while sending and the provider cannot confirm; "
    "not resent to avoid a duplicate - please check with the citizen"
)
SMS_OPTED_OUT = "not sent: the citizen replied STOP to SMS"


# --- What a transport reports --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Accepted:
    """The provider accepted the message; ``provider_id`` is its id (Twilio SID, chat:msg id)."""

    provider_id: str


@dataclass(frozen=True, slots=True)
class RetryLater:
    """Not accepted, safe to send again (429, 5xx, connection refused)."""

    reason: str
    retry_after: float = 0.0


@dataclass(frozen=True, slots=True)
class Rejected:
    """The provider refused it for good (blocked bot, invalid number): do not retry."""

    reason: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """The request may have been accepted (timeout after sending): needs proof before a resend."""

    reason: str
    retry_after: float = 0.0


SendOutcome = Accepted | RetryLater | Rejected | Unknown


class OutboxTransport(Protocol):
    """One channel's way out. Implementations never raise for provider errors: they classify."""

    channel: Channel
    messages_per_second: float
    messages_per_address_per_second: float | None

    async def send(self, message: OutboundMessage) -> SendOutcome: ...

    async def verify(self, message: OutboundMessage, since: datetime) -> SendOutcome:
        """Prove whether ``message`` was accepted since ``since``.

        Return :class:`Accepted` (it was), :class:`RetryLater` (provably not: send again) or
        :class:`Unknown` (no way to tell).
        """
        ...


# --- Rate limits ---------------------------------------------------------------------------


class RateLimit:
    """Evenly spaced sends: at most ``per_second`` per key, measured on a monotonic clock."""

    def __init__(self, per_second: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self._monotonic = monotonic
        self._next: dict[str, float] = {}

    def delay(self, key: str = "") -> float:
        return max(0.0, self._next.get(key, 0.0) - self._monotonic())

    def busy_keys(self) -> list[str]:
        now = self._monotonic()
        busy = [key for key, at in self._next.items() if at > now]
        # Forget idle keys so the map stays as small as the set of recently written chats.
        self._next = {key: self._next[key] for key in busy}
        return busy

    def consume(self, key: str = "") -> None:
        now = self._monotonic()
        self._next[key] = max(now, self._next.get(key, now)) + self.interval


# --- The sender ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Claimed:
    message: OutboundMessage
    attempts: int
    claimed_at: datetime


@dataclass
class _Lane:
    transport: OutboxTransport
    overall: RateLimit
    per_address: RateLimit | None
    idle: bool = field(default=False)


# The outbox queries, built once with bound parameters: every sender polls them twice a second,
# and building them (an aliased Message above all) cost more CPU than running them.
_pending = aliased(Message, name="pending")
# Each chat's oldest unfinished row: a chat's messages leave one at a time, in order, even
# across several senders (an earlier row still sending blocks the next one).
_CHAT_HEADS = (
    select(func.min(_pending.id))
    .where(
        _pending.direction == Direction.OUT.value,
        _pending.channel == bindparam("channel"),
        _pending.status.in_([MessageStatus.QUEUED.value, MessageStatus.SENDING.value]),
    )
    .group_by(_pending.address)
)
# The next row to send on a channel, skipping chats that are rate-limited right now (``busy``).
_DUE = (
    select(Message)
    .where(
        Message.id.in_(_CHAT_HEADS),
        Message.status == MessageStatus.QUEUED.value,
        or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= bindparam("now")),
        Message.address.not_in(bindparam("busy", expanding=True)),
    )
    .order_by(Message.id)
    .limit(1)
    .with_for_update(skip_locked=True, of=Message)
)
# Rows left sending past their claim on the sender's channels.
_STUCK = (
    select(Message)
    .where(
        Message.direction == Direction.OUT.value,
        Message.status == MessageStatus.SENDING.value,
        Message.channel.in_(bindparam("channels", expanding=True)),
        Message.claimed_until < bindparam("now"),
    )
    .order_by(Message.id)
    .limit(bindparam("batch_size"))
    .with_for_update(skip_locked=True)
)


class OutboxSender:
    """Delivers queued messages of the channels it has a transport for (a BackgroundWorker)."""

    name = "outbox-sender"

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        settings: OutboxSettings,
        transports: Sequence[OutboxTransport],
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.settings = settings
        self._lanes: dict[Channel, _Lane] = {
            t.channel: _Lane(
                transport=t,
                overall=RateLimit(t.messages_per_second),
                per_address=(
                    RateLimit(t.messages_per_address_per_second)
                    if t.messages_per_address_per_second
                    else None
                ),
            )
            for t in transports
            if t.channel != Channel.WEB  # the browser pulls web messages itself
        }
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def channels(self) -> list[Channel]:
        return list(self._lanes)

    # BackgroundWorker
    async def start(self) -> None:
        self._stopping = False
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    def wake(self) -> None:
        """Look for new rows now instead of at the next poll (called after an enqueue)."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.run_once()
            except Exception:
                # The database or a transport is down: keep the worker alive and try again.
                log.exception("outbox round failed")
                handled = 0
            if handled or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval_seconds)

    async def run_once(self) -> int:
        """Resolve stuck rows, then deliver up to ``batch_size`` due rows; return rows handled."""
        handled = await self._recover_stuck()
        for lane in self._lanes.values():
            lane.idle = False
        while handled < self.settings.batch_size and not self._stopping:
            progressed = False
            waits: list[float] = []
            for lane in [lane for lane in self._lanes.values() if not lane.idle]:
                await asyncio.sleep(lane.overall.delay())
                busy = lane.per_address.busy_keys() if lane.per_address else []
                claimed = await run_blocking(partial(self._claim, lane.transport.channel, busy))
                if claimed is None:
                    if busy and lane.per_address:
                        # Maybe only rate-limited chats have work: look again once one frees up.
                        waits.append(min(lane.per_address.delay(key) for key in busy))
                    else:
                        lane.idle = True
                    continue
                progressed = True
                handled += 1
                if not isinstance(claimed, _Claimed):  # settled without sending (SMS opt-out)
                    continue
                lane.overall.consume()
                if lane.per_address:
                    lane.per_address.consume(claimed.message.address)
                outcome = await self._send(lane.transport, claimed)
                await run_blocking(partial(self._record, claimed, outcome))
            if not progressed:
                if not waits:
                    break
                await asyncio.sleep(min(waits))
        return handled

    async def drain(self, *, max_rounds: int = 100) -> int:
        """Run rounds until nothing is due (tests and the CLI); return rows handled."""
        total = 0
        for _ in range(max_rounds):
            handled = await self.run_once()
            total += handled
            if not handled:
                break
        return total

    async def _send(self, transport: OutboxTransport, claimed: _Claimed) -> SendOutcome:
        try:
            outcome = await transport.send(claimed.message)
        except Exception as exc:
            # A transport bug must not leave a row that may or may not have gone out unmarked.
            log.exception("transport %s raised", transport.channel.value)
            outcome = Unknown(f"{type(exc).__name__}: {exc}")
        if isinstance(outcome, Unknown):
            outcome = await self._verify(transport, claimed, outcome)
        return outcome

    async def _verify(
        self, transport: OutboxTransport, claimed: _Claimed, unknown: Unknown
    ) -> SendOutcome:
        try:
            proof = await transport.verify(claimed.message, claimed.claimed_at)
        except Exception:
            log.exception("verifying outbox message %s failed", claimed.message.id)
            proof = unknown
        if isinstance(proof, Unknown):
            return Unknown(f"{DELIVERY_UNKNOWN} ({unknown.reason})")
        if isinstance(proof, RetryLater):
            # Provably not sent: retry, still honouring the provider's Retry-After.
            return RetryLater(unknown.reason, max(proof.retry_after, unknown.retry_after))
        return proof

    # --- database steps (run in a worker thread) ---

    def _claim(self, channel: Channel, busy: list[str]) -> _Claimed | bool | None:
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            row = self._select_due(session, channel, busy, now)
            if row is None:
                return None
            if channel == Channel.SMS:
                citizen = session.get(Citizen, row.citizen_id)
                if citizen is not None and citizen.sms_opted_out:
                    row.status = MessageStatus.FAILED.value
                    row.last_error = SMS_OPTED_OUT
                    row.claimed_until = None
                    return True
            row.status = MessageStatus.SENDING.value
            row.attempts = (row.attempts or 0) + 1
            row.claimed_until = now + timedelta(seconds=self.settings.claim_seconds)
            return _Claimed(row.as_outbound(), row.attempts, now)

    def _select_due(
        self, session: Session, channel: Channel, busy: list[str], now: datetime
    ) -> Message | None:
        params = {"channel": channel.value, "busy": busy, "now": now}
        return session.scalars(_DUE, params).first()

    def _record(self, claimed: _Claimed, outcome: SendOutcome) -> None:
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            row = session.get(Message, claimed.message.id, with_for_update=True)
            if row is None:
                return  # deleted meanwhile (privacy deletion): nothing to record
            _apply(row, outcome, claimed.attempts, self.settings.max_attempts, now)
            level = logging.WARNING if row.status == MessageStatus.FAILED else logging.INFO
            log.log(
                level,
                "outbox message %s on %s: %s (attempt %s)",
                row.id,
                row.channel,
                row.status,
                claimed.attempts,
            )

    async def _recover_stuck(self) -> int:
        """Settle rows left ``sending`` past ``claimed_until``: prove the outcome, never guess."""
        stuck = await run_blocking(self._claim_stuck)
        for claimed in stuck:
            lane = self._lanes.get(claimed.message.channel)
            if lane is None:
                continue
            outcome = await self._verify(lane.transport, claimed, Unknown("sender interrupted"))
            if isinstance(outcome, RetryLater):
                await run_blocking(partial(self._requeue, claimed))
            else:
                await run_blocking(partial(self._record, claimed, outcome))
        return len(stuck)

    def _requeue(self, claimed: _Claimed) -> None:
        """Provably not sent: the interrupted attempt does not count and it goes out now."""
        with transaction(self.session_factory) as session:
            row = session.get(Message, claimed.message.id, with_for_update=True)
            if row is None or row.status != MessageStatus.SENDING.value:
                return
            row.status = MessageStatus.QUEUED.value
            row.attempts = max(0, (row.attempts or 1) - 1)
            row.next_attempt_at = self.clock.now()
            row.claimed_until = None
            log.info("outbox message %s was not sent before an interruption: queued again", row.id)

    def _claim_stuck(self) -> list[_Claimed]:
        now = self.clock.now()
        params = {
            "channels": [channel.value for channel in self._lanes],
            "now": now,
            "batch_size": self.settings.batch_size,
        }
        with transaction(self.session_factory) as session:
            rows = session.scalars(_STUCK, params).all()
            claimed = []
            for row in rows:
                lease = timedelta(seconds=self.settings.claim_seconds)
                started = (row.claimed_until or now) - lease
                # Extend the claim so no other sender verifies the same row meanwhile.
                row.claimed_until = now + lease
                claimed.append(_Claimed(row.as_outbound(), row.attempts or 1, started))
            return claimed


def _apply(
    row: Message, outcome: SendOutcome, attempts: int, max_attempts: int, now: datetime
) -> None:
    row.claimed_until = None
    if isinstance(outcome, Accepted):
        row.channel_message_id = outcome.provider_id
        row.sent_at = row.sent_at or now
        row.last_error = None
        # A delivery callback may have arrived before this record: never step back.
        if row.status in (MessageStatus.SENDING.value, MessageStatus.QUEUED.value):
            row.status = MessageStatus.SENT.value
        return
    if row.status != MessageStatus.SENDING.value:
        return  # settled meanwhile (a delivery callback proved it went out)
    if isinstance(outcome, RetryLater) and attempts < max_attempts:
        backoff = min(MAX_BACKOFF_SECONDS, 2.0 ** (attempts - 1))
        row.status = MessageStatus.QUEUED.value
        row.next_attempt_at = now + timedelta(seconds=max(backoff, outcome.retry_after))
        row.last_error = outcome.reason[:MAX_ERROR_CHARS]
        return
    row.status = MessageStatus.FAILED.value
    reason = outcome.reason
    if isinstance(outcome, RetryLater):
        reason = f"gave up after {attempts} attempts: {reason}"
    row.last_error = reason[:MAX_ERROR_CHARS]


# --- Enqueueing proactive messages ---------------------------------------------------------
