"""The ranges the database can hold, for every id, count and date that comes from outside.

A value beyond these is refused with a 4xx where it enters (a route's parameter, a webhook
field, a form) instead of reaching the database, where PostgreSQL answers an overflow with an
error and a date past year 9999 breaks Python's arithmetic. The annotated types carry their
bounds into FastAPI's validation and the OpenAPI spec alike.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

from annotated_types import Interval, MaxLen

# Every ``id`` and integer column is a 32-bit ``integer`` on PostgreSQL; SQLite holds more, but
# one bound for both keeps the answers the same on either database.
ROW_ID_MAX = 2**31 - 1
# Transport ids (Telegram update_id, Twilio MessageSid, web client id): ``channel_message_id``.
CHANNEL_MESSAGE_ID_MAX_CHARS = 100
# Dates far enough from today for any booking or report, near enough that a day or a year
# added to them stays a valid date.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
# JSON bodies are flat; deeper nesting than this is an attack on the parser's recursion.
MAX_JSON_DEPTH = 32

# A row's id in a path, query or form: 1 .. ROW_ID_MAX.
RowId = Annotated[int, Interval(ge=1, le=ROW_ID_MAX)]
# A position among row ids ("after message 0"): 0 .. ROW_ID_MAX.
RowIdOrZero = Annotated[int, Interval(ge=0, le=ROW_ID_MAX)]
# A moment within EARLIEST_MOMENT .. LATEST_MOMENT (add it to an aware type's Annotated).
MOMENT_RANGE = Interval(ge=EARLIEST_MOMENT, le=LATEST_MOMENT)
ChannelMessageId = Annotated[str, MaxLen(CHANNEL_MESSAGE_ID_MAX_CHARS)]


def row_id(value: object, minimum: int = 1) -> int | None:
    """``value`` as a row id (an int, or decimal digits), or None when it is not one in range;
    ``minimum=0`` also admits zero (a weekday, a count)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        value = int(value)
    if isinstance(value, int) and minimum <= value <= ROW_ID_MAX:
        return value
    return None


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def json_too_deep(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Does the JSON text ``body`` nest arrays and objects deeper than ``max_depth``?

    Checked on the bytes before parsing: Python's parser recurses once per level and fails on
    deep nesting with a RecursionError. Brackets inside strings are not nesting; a body with few
    brackets in all is answered without the scan.
    """
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def load_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> object:
    """Parse a JSON body of at most ``max_depth`` levels.

    Raises:
        ValueError: not JSON, not UTF-8, or nested deeper than ``max_depth``.
    """
    if json_too_deep(body, max_depth):
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    return json.loads(body)
