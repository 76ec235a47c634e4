"""The outbox's database steps: claiming a due row, recording a send's outcome, and settling
rows a sender left ``sending`` (each one short transaction, run in a worker thread)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.domain.reachability import learn_refusal, reroute
from bot.kernel.clock import Clock
from bot.kernel.messages import Channel, OutboundMessage
from bot.runtime import metrics
from bot.runtime.config import OutboxSettings
from bot.store.db import SessionFactory, transaction
from bot.store.models import Citizen, Direction, Message, MessageStatus
from integrations.outbox.outcomes import Accepted, Rejected, RetryLater, SendOutcome

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0
MAX_ERROR_CHARS = 500
SMS_OPTED_OUT = "not sent: the citizen replied STOP to SMS"


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


class OutboxStore:
    """The sender's statements on the ``messages`` table, for the channels it serves."""

    def __init__(
        self, *, session_factory: SessionFactory, clock: Clock, settings: OutboxSettings
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.settings = settings

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
            row.claimed_until = now + timedelta(seconds=self.settings.claim_seconds)
            return Claimed(row.as_outbound(), row.attempts, now)

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
            _apply_outcome(row, outcome, claimed.attempts, self.settings.max_attempts, now)
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
            log.info("outbox message %s was not sent before an interruption: queued again", row.id)

    def claim_stuck(self, channels: list[Channel]) -> list[Claimed]:
        """Rows left ``sending`` past their claim on ``channels``, claimed again to be settled."""
        now = self.clock.now()
        params = {
            "channels": [channel.value for channel in channels],
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
                claimed.append(Claimed(row.as_outbound(), row.attempts or 1, started))
            return claimed


def _apply_outcome(
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
