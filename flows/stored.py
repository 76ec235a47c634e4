"""Reading the values of a stored flow state: a wrong type is :class:`MalformedFlowState`, a
missing key takes the default today's code gives it."""

from __future__ import annotations

from bot.kernel.errors import MalformedFlowState
from flows.types import HandoffReason, StoredState


def text(data: StoredState, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise MalformedFlowState(key)
    return value


def optional_text(data: StoredState, key: str) -> str | None:
    value = data.get(key)
    return None if value is None else text(data, key)


def texts(data: StoredState, key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedFlowState(key)
    return tuple(value)


def number(data: StoredState, key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedFlowState(key)
    return value


def optional_number(data: StoredState, key: str) -> int | None:
    return None if data.get(key) is None else number(data, key)


def numbers(data: StoredState, key: str) -> tuple[int, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise MalformedFlowState(key)
    return tuple(value)


def mapping(data: StoredState, key: str) -> StoredState:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise MalformedFlowState(key)
    return value


def reason_of(value: object) -> HandoffReason | None:
    """A stored handoff reason; None for none, or for one from another version."""
    try:
        return HandoffReason(str(value)) if value else None
    except ValueError:  # a reason from another version
        return None
