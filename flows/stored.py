"""Reading the values of a stored flow state: a wrong type is :class:`Malformed`, a missing key
takes the default today's code gives it."""

from __future__ import annotations

from flows.types import HandoffReason, StoredState


class Malformed(ValueError):
    """A stored state this code cannot read (it then reads as an empty state)."""


def text(data: StoredState, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise Malformed(key)
    return value


def optional_text(data: StoredState, key: str) -> str | None:
    value = data.get(key)
    return None if value is None else text(data, key)


def texts(data: StoredState, key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Malformed(key)
    return tuple(value)


def number(data: StoredState, key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Malformed(key)
    return value


def optional_number(data: StoredState, key: str) -> int | None:
    return None if data.get(key) is None else number(data, key)


def numbers(data: StoredState, key: str) -> tuple[int, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise Malformed(key)
    return tuple(value)


def mapping(data: StoredState, key: str) -> StoredState:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise Malformed(key)
    return value


def reason_of(value: object) -> HandoffReason | None:
    """A stored handoff reason; None for none, or for one from another version."""
    try:
        return HandoffReason(str(value)) if value else None
    except ValueError:  # a reason from another version
        return None
