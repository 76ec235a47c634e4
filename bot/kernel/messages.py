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


class AttachmentProblem(StrEnum):
    """Why a file the citizen sent was not kept (its marker stays in the transcript)."""

    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"
    DOWNLOAD_FAILED = "download_failed"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message, fetched by the transport before the message is handled.

    ``kind`` is what the citizen sent (photo, document, voice, video, audio, media);
    ``data`` is the file's bytes, or None with a ``problem`` saying why it was not kept.
    """

    kind: str
    content_type: str
    data: bytes | None = None
    filename: str | None = None
    problem: AttachmentProblem | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


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
    # Files sent with the message; its text is then their caption (may be empty).
    attachments: tuple[Attachment, ...] = ()
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
