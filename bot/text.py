"""Cleaning of inbound text: what is stored is printable, normalised and bounded."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidMessage

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
