"""The data flows take and return. Effects are plain data the core carries out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.messages import Reply

FlowState = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PendingReminder:
    """The last reminder sent to the citizen that still awaits an answer (JA / NEJ / FLYT).

    ``kind`` is "confirmation", "before" or "check_in"; ``when`` is the meeting time as the
    citizen reads it ("i morgen kl. 9.00"), already in their language and local time.
    ``latest`` says nothing was sent to the citizen after it: a "ja" then answers the reminder,
    not an older open question.
    """

    reminder_id: int
    kind: str
    booking_id: int | None = None
    when: str = ""
    consultant_name: str | None = None
    latest: bool = True


@dataclass(frozen=True, slots=True)
class FlowContext:
    """What a flow may know beyond the message: loaded by the core before each step."""

    now: datetime
    language: str
    channel: str
    citizen_id: int
    # Set when the citizen's message may answer a reminder (flows/reminder_reply.py).
    pending_reminder: PendingReminder | None = None


@dataclass(frozen=True, slots=True)
class Effect:
    """Base of every effect; subclasses are plain data."""


@dataclass(frozen=True, slots=True)
class HandOff(Effect):
    """Put the conversation in the consultant queue with a summary for the consultant."""

    reason: str
    priority: int = 0
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetLanguage(Effect):
    language: str


@dataclass(frozen=True, slots=True)
class Step:
    replies: list[Reply]
    effects: list[Effect]
    next_state: FlowState
