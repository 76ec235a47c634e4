"""The outbox's database steps: claiming a due row, recording a send's outcome, and settling
rows a sender left ``sending`` (each one short transaction, run in a worker thread)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.domain.outbox_fate import SMS_OPTED_OUT
from bot.domain.reachability import learn_refusal, reroute
from bot.kernel.clock import Clock
from bot.kernel.messages import Channel, OutboundMessage
from bot.runtime import metrics
from bot.runtime.config import OutboxSettings
from bot.store.db import SessionFactory, transaction
from bot.store.models import Citizen, Direction, Message, MessageStatus
from integrations.outbox.outcomes import Accepted, Rejected, RetryLater, SendOutcome

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 500
__all__ = ["SMS_OPTED_OUT", "Claimed", "OutboxStore", "backoff_seconds"]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this sender holds ``sending``: what to send, its attempt and when it was claimed."""

    message: OutboundMessage
    attempts: int
    claimed_at: datetime


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
        # A TwiML reply awaiting Twilio's report (sending, never scheduled: Delivery
        # .INLINE_REPORTED) has left already and holds no later message back.
        or_(_pending.status == MessageStatus.QUEUED.value, _pending.next_attempt_at.is_not(None)),
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
# The rows being sent on a channel right now (a handful: one per send on the way), with who
# holds them and until when; the stuck ones among them are then locked by id.
_SENDING = select(Message.id, Message.claimed_by, Message.claimed_until).where(
    Message.direction == Direction.OUT.value,
    Message.status == MessageStatus.SENDING.value,
    Message.channel == bindparam("channel"),
)
_LOCK_STUCK = (
    select(Message)
    .where(
        Message.id.in_(bindparam("ids", expanding=True)),
        Message.status == MessageStatus.SENDING.value,
    )
    .order_by(Message.id)
    .with_for_update(skip_locked=True)
)


class OutboxStore:
    """The sender's statements on the ``messages`` table, for the channels it serves."""

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        settings: OutboxSettings,
        sender_id: str = "",
        is_dead: Callable[[str], bool] = lambda holder: False,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.settings = settings
        self.sender_id = sender_id
        self.is_dead = is_dead
        self.jitter = jitter

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.settings.claim_seconds)

    def claim(self, channel: Channel, busy: list[str]) -> Claimed | bool | None:
        """The next due row of ``channel`` outside the ``busy`` chats, marked ``sending``; True
        when it was settled without sending (SMS after STOP), None when nothing is due."""
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
                    reroute(session, row, now)
                    return True
            row.status = MessageStatus.SENDING.value
            row.attempts = (row.attempts or 0) + 1
            row.claimed_until = now + self._lease
            row.claimed_by = self.sender_id
            # While sending, next_attempt_at is when this attempt began: the heartbeat moves
            # claimed_until, and proving a send (Twilio's list) needs the real start.
            row.next_attempt_at = now
            if row.give_up_at is None:
                row.give_up_at = now + timedelta(hours=self.settings.give_up_after_hours)
            return Claimed(row.as_outbound(), row.attempts, now)

    def renew(self, ids: list[int]) -> None:
        """Extend this sender's claims on ``ids`` (sends still on the way): the heartbeat."""
        if not ids:
            return
        with transaction(self.session_factory) as session:
            session.execute(
                update(Message)
                .where(
                    Message.id.in_(ids),
                    Message.status == MessageStatus.SENDING.value,
                    Message.claimed_by == self.sender_id,
                )
                .values(claimed_until=self.clock.now() + self._lease)
            )

    def _select_due(
        self, session: Session, channel: Channel, busy: list[str], now: datetime
    ) -> Message | None:
        params = {"channel": channel.value, "busy": busy, "now": now}
        return session.scalars(_DUE, params).first()

    def record(self, claimed: Claimed, outcome: SendOutcome) -> None:
        """Write what the send came to: sent, queued again with a backoff, or failed."""
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            row = session.get(Message, claimed.message.id, with_for_update=True)
            if row is None:
                return  # deleted meanwhile (privacy deletion): nothing to record
            wait = backoff_seconds(claimed.attempts, self.settings.max_backoff_seconds, self.jitter)
            _apply_outcome(row, outcome, claimed.attempts, wait, now)
            metrics.count_outcome(row.channel, outcome)
            if isinstance(outcome, Rejected) and outcome.unreachable is not None:
                learn_refusal(session, row, outcome.unreachable)
                reroute(session, row, now)
            level = logging.WARNING if row.status == MessageStatus.FAILED else logging.INFO
            log.log(
                level,
                "outbox message %s on %s: %s (attempt %s)",
                row.id,
                row.channel,
                row.status,
                claimed.attempts,
            )

    def requeue(self, claimed: Claimed) -> None:
        """Provably not sent: the interrupted attempt does not count and it goes out now."""
        with transaction(self.session_factory) as session:
            row = session.get(Message, claimed.message.id, with_for_update=True)
            if row is None or row.status != MessageStatus.SENDING.value:
                return
            row.status = MessageStatus.QUEUED.value
            row.attempts = max(0, (row.attempts or 1) - 1)
            row.next_attempt_at = self.clock.now()
            row.claimed_until = None
            row.claimed_by = None
            log.info("outbox message %s was not sent before an interruption: queued again", row.id)

    def claim_stuck(self, channel: Channel) -> list[Claimed]:
        """Rows of ``channel`` left ``sending`` by a sender known to be dead, or past their
        claim, claimed by this sender to be settled."""
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            sending = session.execute(_SENDING, {"channel": channel.value}).all()
            ids = [
                id_
                for id_, holder, until in sending
                if (until is not None and until < now)
                or (holder and holder != self.sender_id and self.is_dead(holder))
            ][: self.settings.batch_size]
            if not ids:
                return []
            claimed = []
            for row in session.scalars(_LOCK_STUCK, {"ids": ids}).all():
                started = row.next_attempt_at or (row.claimed_until or now) - self._lease
                if row.claimed_by and row.claimed_by != self.sender_id:
                    log.warning(
                        "outbox message %s was left sending by %s: settling it",
                        row.id,
                        row.claimed_by,
                    )
                # Take the claim so no other sender settles the same row meanwhile.
                row.claimed_until = now + self._lease
                row.claimed_by = self.sender_id
                claimed.append(Claimed(row.as_outbound(), row.attempts or 1, min(started, now)))
            return claimed


def backoff_seconds(attempts: int, ceiling: float, jitter: Callable[[], float]) -> float:
    """Exponential backoff after ``attempts`` tries (1 s, 2 s, 4 s ... up to ``ceiling``), with
    "equal jitter" (between half and all of it) so senders do not retry in step."""
    base = min(ceiling, 2.0 ** min(attempts - 1, 30))
    return base / 2 + base / 2 * jitter()


def _apply_outcome(
    row: Message, outcome: SendOutcome, attempts: int, wait: float, now: datetime
) -> None:
    row.claimed_until = None
    row.claimed_by = None
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
    if isinstance(outcome, RetryLater):
        next_attempt = now + timedelta(seconds=max(wait, outcome.retry_after))
        if row.give_up_at is None or next_attempt <= row.give_up_at:
            row.status = MessageStatus.QUEUED.value
            row.next_attempt_at = next_attempt
            row.last_error = outcome.reason[:MAX_ERROR_CHARS]
            return
    row.status = MessageStatus.FAILED.value
    reason = outcome.reason
    if isinstance(outcome, RetryLater):
        reason = f"gave up after {attempts} attempts (retry deadline reached): {reason}"
    row.last_error = reason[:MAX_ERROR_CHARS]
