"""What became of an outbound message that was not sent, and sending it again.

The outbox sender (integrations/outbox) writes these reasons into ``Message.last_error``; the
inbox reads them back to tell a consultant what to do, and its "send again" button calls
:func:`send_again`. One place for both, so the wording the sender writes and the check the
inbox makes cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.store.models import Direction, Message, MessageStatus

DELIVERY_UNKNOWN = (
    "delivery unknown: the sender stopped while sending and the provider cannot confirm; "
    "not resent to avoid a duplicate - please check with the citizen"
)
SMS_OPTED_OUT = "not sent: the citizen replied STOP to SMS"


class Fate(StrEnum):
    """Why a ``failed`` message did not (knowingly) reach the citizen."""

    DELIVERY_UNKNOWN = "delivery_unknown"  # it may have arrived: ask before sending again
    OPTED_OUT = "opted_out"  # STOP by SMS: sending again fails the same way
    NOT_SENT = "not_sent"  # refused, or retried until the deadline: it did not arrive


def fate(message: Message) -> Fate | None:
    """The fate of a failed outbound message; None for any other message."""
    if message.direction != Direction.OUT.value or message.status != MessageStatus.FAILED.value:
        return None
    reason = message.last_error or ""
    if reason.startswith(DELIVERY_UNKNOWN):
        return Fate.DELIVERY_UNKNOWN
    if reason.startswith(SMS_OPTED_OUT):
        return Fate.OPTED_OUT
    return Fate.NOT_SENT


def can_send_again(message: Message) -> bool:
    return fate(message) in (Fate.DELIVERY_UNKNOWN, Fate.NOT_SENT)


def send_again(session: Session, message: Message, now: datetime) -> bool:
    """Queue a failed message again as if new (a fresh retry deadline); False when it is not
    failed any more (a second click, or another consultant was first)."""
    if not can_send_again(message):
        return False
    message.status = MessageStatus.QUEUED.value
    message.attempts = 0
    message.next_attempt_at = now
    message.give_up_at = None
    message.claimed_until = None
    message.claimed_by = None
    message.last_error = None
    session.flush()
    return True
