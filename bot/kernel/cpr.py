"""Personal data that must never be stored: CPR numbers are masked before anything else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# DDMMYY-XXXX or DDMMYYXXXX, optionally with a space for the dash, not inside longer digit runs.
_CPR_CANDIDATE = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[- ]?(\d{4})(?![\d-])")
CPR_MASK = "[CPR fjernet]"


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


def mask_cpr(text: str) -> MaskedText:
    """Replace every CPR number in ``text`` with a mask."""
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        day, month, year2, serial = match.groups()
        if is_cpr(int(day), int(month), int(year2), serial):
            found = True
            return CPR_MASK
        return match.group(0)

    masked = _CPR_CANDIDATE.sub(replace, text)
    return MaskedText(masked, found)
