"""Neutral message types: what crosses the edge between a transport and the core.

No Telegram, Twilio or HTTP type passes this line: a transport turns its payload into an
:class:`InboundMessage` and turns :class:`OutboundMessage` into its own calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    SMS = "sms"


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a citizen, as any transport delivers it.

    ``channel_message_id`` is the transport's own id for the message (Telegram ``update_id``,
    Twilio ``MessageSid``, a web chat client's id); a redelivery carries the same id and is
    handled once. ``address`` identifies the sender within the channel (web chat session, Telegram
    chat id, phone number).
    """

    channel: Channel
    address: str
    text: str
    channel_message_id: str | None = None
    language_hint: str | None = None
    # The citizen changed an earlier message (Telegram's edited_message): stored as a new row.
    edited: bool = False
    # The id of our outbound message the citizen replied to (Telegram's reply_to_message).
    replies_to: int | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A bot or consultant reply before it is bound to a channel."""

    text: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A stored outbound message, ready for a transport to deliver."""

    id: int
    channel: Channel
    address: str
    text: str
    choices: tuple[str, ...] = ()
    citizen_id: int | None = None
