"""What an outbox transport is, and what it reports for a message it was given to send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.kernel.messages import Channel, OutboundMessage


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
    """The provider refused it for good (blocked bot, invalid number): do not retry.

    ``unreachable`` is the provider's code when the refusal says the address cannot be reached
    at all (Twilio 21610, Telegram 403): remembered for the citizen, and a proactive message goes
    by their other channel (``bot/domain/reachability.py``).
    """

    reason: str
    unreachable: str | None = None


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
