"""A conversation's dialogue state between messages, typed, and its stored JSON form.

Flows read and change a :class:`FlowState`; the store keeps ``Conversation.flow_state`` as a JSON
mapping. :meth:`FlowState.from_stored` and :meth:`FlowState.to_stored` are the one place the two
meet. The stored shape is ``{"misses": 0, "pending": {...}, "suspended": {..., "flow": ...},
"last_intent": ..., "handoff_reason": ..., "facts": {...}, "acknowledged_at": "ISO time",
"absence_to_confirm": {...}}``, keys left out when unset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.kernel.errors import MalformedFlowState
from flows.questions import Question, question_from_stored
from flows.stored import reason_of
from flows.types import HandoffReason, StoredState


@dataclass(frozen=True, slots=True)
class Suspended:
    """A question put aside by a topic change, and the flow it belongs to (``flow``)."""

    question: Question
    flow: str


@dataclass(slots=True)
class FlowState:
    pending: Question | None = None  # the open question the next message answers first
    suspended: Suspended | None = None
    misses: int = 0  # misunderstandings in a row (flows.handoff.misunderstood)
    last_intent: str | None = None  # the last intent that started a flow
    # The reason kept while the citizen chooses between waiting and a callback.
    handoff_reason: HandoffReason | None = None
    # What the citizen told us, in the order told: a handoff summary's details.
    facts: dict[str, Any] = field(default_factory=dict)
    # When a waiting citizen was last told we have their message (flows.waiting).
    acknowledged_at: datetime | None = None
    # An absence notice the bot has read but the citizen has not confirmed yet: only their yes
    # records it (flows.absence). Kept apart from ``facts``, which a consultant reads as told.
    absence_to_confirm: dict[str, Any] | None = None

    @property
    def topic(self) -> str | None:
        """What the conversation is about (a :class:`flows.types.Topic` value)."""
        topic = self.facts.get("topic")
        return str(topic) if topic else None

    def copy(self) -> FlowState:
        proposed = dict(self.absence_to_confirm) if self.absence_to_confirm else None
        return replace(self, facts=dict(self.facts), absence_to_confirm=proposed)

    def to_stored(self) -> StoredState:
        stored: StoredState = {"misses": self.misses}
        if self.pending is not None:
            stored["pending"] = self.pending.to_stored()
        if self.suspended is not None:
            stored["suspended"] = {
                **self.suspended.question.to_stored(),
                "flow": self.suspended.flow,
            }
        if self.last_intent is not None:
            stored["last_intent"] = self.last_intent
        if self.handoff_reason is not None:
            stored["handoff_reason"] = self.handoff_reason.value
        if self.facts:
            stored["facts"] = dict(self.facts)
        if self.acknowledged_at is not None:
            stored["acknowledged_at"] = self.acknowledged_at.isoformat()
        if self.absence_to_confirm:
            stored["absence_to_confirm"] = dict(self.absence_to_confirm)
        return stored

    @classmethod
    def from_stored(cls, stored: object) -> FlowState:
        """The state of a stored mapping; an unknown or malformed one reads as an empty state."""
        if not isinstance(stored, dict):
            return cls()
        try:
            return cls._read(stored)
        except MalformedFlowState:
            return cls()

    @classmethod
    def _read(cls, stored: StoredState) -> FlowState:
        pending = stored.get("pending")
        suspended = stored.get("suspended")
        misses = stored.get("misses") or 0
        last_intent = stored.get("last_intent")
        facts = stored.get("facts") or {}
        proposed = stored.get("absence_to_confirm") or None
        if not isinstance(misses, int) or not isinstance(facts, dict):
            raise MalformedFlowState("misses or facts")
        if proposed is not None and not isinstance(proposed, dict):
            raise MalformedFlowState("absence_to_confirm")
        if last_intent is not None and not isinstance(last_intent, str):
            raise MalformedFlowState("last_intent")
        return cls(
            pending=question_from_stored(pending) if pending else None,
            suspended=_suspended(suspended) if suspended else None,
            misses=misses,
            last_intent=last_intent,
            handoff_reason=reason_of(stored.get("handoff_reason")),
            facts=dict(facts),
            acknowledged_at=_moment(stored.get("acknowledged_at")),
            absence_to_confirm=dict(proposed) if proposed else None,
        )


def _moment(stored: object) -> datetime | None:
    if stored is None:
        return None
    try:
        return datetime.fromisoformat(str(stored))
    except ValueError as exc:
        raise MalformedFlowState("acknowledged_at") from exc


def _suspended(stored: object) -> Suspended:
    question = question_from_stored(stored)
    assert isinstance(stored, dict)  # question_from_stored raised otherwise
    flow = stored.get("flow")
    return Suspended(question, flow if isinstance(flow, str) else "")
