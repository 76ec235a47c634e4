"""Personal data that must never be stored: CPR numbers are masked before anything else.

One detector for every text a person types (citizens on every channel, staff in the inbox).
A CPR number is ten digits ``DDMMYY`` + ``SSSS`` whose first six are a real birth date; it is
written in many ways: ``0101901234``, ``010190-1234``, ``010190 - 1234``, ``01.01.90-1234``,
``01/01/90–1234``, ``0101 90 1234``, ``CPR-0101901234``, ``01.01.1990-1234`` (when the serial
fits the century), with full-width digits, or with
invisible characters (soft hyphen, zero-width, NBSP) between the digits. Modulus 11 is not
checked: since 2007 numbers are issued that fail it.

Left alone: phone numbers (8 digits), dates alone, times (``10.30-11.30``), amounts, and ten
digits that are part of a longer number or a date range, or cannot be a birth date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CPR_MASK = "[CPR fjernet]"

# Characters that show nothing: soft hyphen, combining grapheme joiner, Mongolian vowel
# separator, zero-width space/joiners, direction marks and overrides, word joiner and invisible
# operators, BOM. They are skipped as if absent, so they cannot hide a number.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\ufeff\uffa0"
    + "".join(chr(code) for code in range(0x200B, 0x2010))
    + "".join(chr(code) for code in range(0x202A, 0x202F))
    + "".join(chr(code) for code in range(0x2060, 0x2070))
)
# Spaces of every width (NBSP, narrow NBSP, thin, ideographic) and tab; not line breaks.
_SPACE = r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
# Dashes of every kind (hyphen, non-breaking hyphen, figure/en/em dash, minus), slash, dot.
_MARK = r"[\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d/\uff0f.\uff0e_]"
_GAP = rf"{_SPACE}{{0,3}}{_MARK}?{_SPACE}{{0,3}}"
_DIGIT = r"\d"  # any Unicode decimal digit: full-width and Arabic-Indic digits count
_NEIGHBOUR = r"[.,/:\-\u2010-\u2015\u2212]"  # a mark that joins this number to another
_CANDIDATE = re.compile(
    rf"(?<!\d)(?<!\d{_NEIGHBOUR})"
    rf"(?P<day>{_DIGIT}{{2}})(?P<gap1>{_GAP})(?P<month>{_DIGIT}{{2}})(?P<gap2>{_GAP})"
    rf"(?P<century>{_DIGIT}{{2}})?(?P<year>{_DIGIT}{{2}})(?P<gap>{_GAP})"
    rf"(?P<serial>{_DIGIT}{{2}}{_SPACE}{{0,2}}{_DIGIT}{{2}})"
    rf"(?!\d)(?!{_NEIGHBOUR}\d)"
)


@dataclass(frozen=True, slots=True)
class MaskedText:
    text: str
    cpr_found: bool


def _century(year2: int, seventh_digit: int) -> int:
    # The CPR office's table: the 7th digit and the two-digit year give the century.
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if year2 <= 36 else 1900
    return 2000 if year2 <= 57 else 1800


def is_cpr(day: int, month: int, year2: int, serial: str) -> bool:
    """True when the digits form a CPR number with a real birth date."""
    try:
        date(_century(year2, int(serial[0])) + year2, month, day)
    except ValueError:
        return False
    return True


def _visible(text: str) -> tuple[str, list[int]]:
    """``text`` without invisible characters, and each kept character's index in ``text``."""
    kept: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        if char not in _INVISIBLE:
            kept.append(char)
            positions.append(index)
    return "".join(kept), positions


def _real_birth_date(match: re.Match[str]) -> bool:
    serial = re.sub(r"\D", "", match["serial"])
    day, month, year2 = int(match["day"]), int(match["month"]), int(match["year"])
    if match["century"] is not None:
        # "01.01.1990-1234": only as a written date, and the serial must fit the century.
        if not (match["gap1"] and match["gap2"] and match["gap"]):
            return False
        if _century(year2, int(serial[0])) != int(match["century"]) * 100:
            return False
    elif not match["gap"] and len(serial) < len(match["serial"]):
        return False  # "24.12.2026 10": a four-digit year, then another number
    return is_cpr(day, month, year2, serial)


def cpr_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every CPR number in ``text``, in order, as indexes into ``text``."""
    visible, positions = _visible(text)
    spans: list[tuple[int, int]] = []
    position = 0
    while (match := _CANDIDATE.search(visible, position)) is not None:
        if not _real_birth_date(match):
            position = match.start() + 1  # a later start may be one: "10 13 01 00 40 00"
            continue
        # Invisible characters right after the last digit go with it.
        end = positions[match.end()] if match.end() < len(positions) else len(text)
        spans.append((positions[match.start()], end))
        position = match.end()
    return spans


def mask_cpr(text: str) -> MaskedText:
    """Replace every CPR number in ``text`` with a mask; all else is kept as it was."""
    spans = cpr_spans(text)
    if not spans:
        return MaskedText(text, False)
    parts: list[str] = []
    done = 0
    for start, end in spans:
        parts.extend((text[done:start], CPR_MASK))
        done = end
    parts.append(text[done:])
    return MaskedText("".join(parts), True)
