"""Cleaning of inbound text: what is stored is printable, normalised and bounded."""

from __future__ import annotations

import re
import unicodedata

from bot.kernel.bounds import CHANNEL_MESSAGE_ID_MAX_CHARS
from bot.kernel.errors import InvalidMessage

# C0 and C1 controls except tab and newline, plus the Unicode "format" characters that hide
# text (zero-width, bidi overrides). They are stripped, never stored raw.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(raw: str, *, max_chars: int) -> str:
    """Return ``raw`` normalised and stripped of control characters.

    Raises:
        InvalidMessage: the text is empty once cleaned, or longer than ``max_chars``.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if not text:
        raise InvalidMessage("empty_text", "The message has no text.")
    if len(text) > max_chars:
        raise InvalidMessage(
            "text_too_long", f"The message is {len(text)} characters; at most {max_chars} fit."
        )
    return text


_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PRINTABLE_ADDRESS = re.compile(r"^[\x21-\x7e]{1,255}$")


def is_phone_number(value: str) -> bool:
    """True for an E.164 number such as +4512345678."""
    return bool(_E164.match(value))


def check_address(channel: str, address: str) -> str:
    """Refuse a sender address a transport should never produce (guards the database).

    Raises:
        InvalidMessage: an SMS sender that is not E.164, or any address with spaces,
            control or non-ASCII characters, or over 255 characters.
    """
    if channel == "sms" and not is_phone_number(address):
        raise InvalidMessage("invalid_address", "The sender is not a phone number in E.164 form.")
    if not _PRINTABLE_ADDRESS.match(address):
        raise InvalidMessage("invalid_address", "The sender address is not valid.")
    return address


def check_transport_id(channel_message_id: str | None) -> str | None:
    """Refuse a transport id the ``channel_message_id`` column cannot hold.

    Raises:
        InvalidMessage: longer than CHANNEL_MESSAGE_ID_MAX_CHARS.
    """
    if channel_message_id is not None and len(channel_message_id) > CHANNEL_MESSAGE_ID_MAX_CHARS:
        raise InvalidMessage("invalid_message_id", "The message id is too long.")
    return channel_message_id
