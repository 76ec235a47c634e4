"""The GSM-7 alphabet of SMS: what fits it, how many septets a text takes, how many parts.

One place for both readers: the reminder wording (``flows/reminder_text.py``) picks the version
that fits one SMS, and the Twilio channel (``integrations/twilio/outbound.py``) turns bot text
into GSM-7 and cuts it to the part limit. Danish æøå/ÆØÅ are in the alphabet; curly quotes, most
dashes and emoji are not and would make the whole message UCS-2 (70 characters instead of 160).
"""

from __future__ import annotations

import math
import re
import unicodedata

# GSM 03.38: the basic set, and the extension set whose characters cost two septets
# (an escape and the character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

SINGLE_PART_SEPTETS = 160
PART_SEPTETS = 153  # a split message spends 7 septets per part on the joining header
SINGLE_PART_UCS2_UNITS = 70
PART_UCS2_UNITS = 67

_REPLACEMENTS = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    **dict.fromkeys(
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\t",
        " ",
    ),
    "…": "...",
    "•": "-",
    "·": "-",
}


def _char_septets(char: str) -> int | None:
    """Septets one character takes in GSM-7 (1 or 2), or None if it is not in the alphabet."""
    if char in GSM7_BASIC:
        return 1
    if char in GSM7_EXTENSION:
        return 2
    return None


def gsm7_length(text: str) -> int | None:
    """Septets ``text`` takes in GSM-7, or None if it needs UCS-2 (an emoji, a curly quote)."""
    if GSM7_BASIC.issuperset(text):
        return len(text)  # the common case, checked at C speed
    length = 0
    for char in text:
        cost = _char_septets(char)
        if cost is None:
            return None
        length += cost
    return length


def septets(text: str) -> int:
    """Septets of GSM-7 ``text`` (as :func:`to_gsm7` returns it).

    Raises:
        ValueError: a character is not in the GSM-7 alphabet.
    """
    length = gsm7_length(text)
    if length is None:
        raise ValueError(f"not GSM-7 text: {text!r}")
    return length


def sms_parts(text: str) -> int:
    """How many SMS parts ``text`` is sent as: GSM-7 160 in one or 153 per part, else UCS-2
    70 in one or 67 per part."""
    length = gsm7_length(text)
    if length is not None:
        return 1 if length <= SINGLE_PART_SEPTETS else math.ceil(length / PART_SEPTETS)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= SINGLE_PART_UCS2_UNITS else math.ceil(units / PART_UCS2_UNITS)


def max_septets(parts: int) -> int:
    """The most septets that go in ``parts`` SMS parts."""
    return SINGLE_PART_SEPTETS if parts == 1 else PART_SEPTETS * parts


def to_gsm7(text: str) -> str:
    """Text an SMS can carry in GSM-7: typographic quotes and dashes become plain ones, accents
    outside the alphabet lose their accent, emoji and other symbols are dropped."""
    if GSM7.issuperset(text) and "  " not in text and " \n" not in text:
        return text.strip()  # already GSM-7 (most bot text): nothing to replace or tidy
    out: list[str] = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if all(c in GSM7 for c in char):
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append("".join(c for c in base if c in GSM7))
    cleaned = "".join(out)
    # Dropped emoji leave double spaces and blank line ends behind.
    cleaned = re.sub(r"[ ]{2,}", " ", cleaned)
    cleaned = re.sub(r" +\n", "\n", cleaned)
    return cleaned.strip()
