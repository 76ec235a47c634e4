"""Handing a conversation to a person, with a summary so the citizen need not retell it.

Within opening hours the citizen is queued and told the expected wait. Outside them the
citizen chooses: an answer in the chat when we open, or a callback booking. Two
misunderstandings in a row hand over too (:func:`misunderstood`, the one place they are counted).
"""

from __future__ import annotations

from typing import Any

from flows.questions import Menu, Question
from flows.registry import Registry
from flows.turn import Turn
from flows.types import HandOff, HandoffReason, SummaryKey

CRISIS_PRIORITY = 100
SUMMARY_MESSAGES = 5
MISSES_BEFORE_HANDOFF = 2


def register(registry: Registry) -> None:
    registry.intent("human_handoff", lambda turn, _: start_handoff(turn, HandoffReason.REQUESTED))
    registry.intent("unanswerable", lambda turn, _: start_handoff(turn, HandoffReason.UNANSWERABLE))
    # Chosen from the closed-hours menu: the reason kept while choosing.
    registry.intent(
        "handoff_wait",
        lambda turn, _: queue(turn, turn.state.handoff_reason or HandoffReason.REQUESTED),
    )


def summary(turn: Turn, reason: HandoffReason) -> dict[str, Any]:
    """What the consultant sees first: why, what the citizen wants, what they told us."""
    messages = list(turn.context.recent_messages[-SUMMARY_MESSAGES:])
    if not messages or messages[-1] != turn.text:
        messages = [*messages, turn.text][-SUMMARY_MESSAGES:]
    details = dict(turn.facts)
    suspended = turn.state.suspended
    unfinished = suspended.question if suspended is not None else turn.pending
    if unfinished is not None and unfinished.text:
        details["unfinished_question"] = unfinished.text
    if turn.context.next_meeting is not None:
        details["next_meeting"] = turn.moment(turn.context.next_meeting.starts_at)
    return {
        SummaryKey.REASON: reason,
        SummaryKey.INTENT: turn.state.last_intent or turn.intent,
        SummaryKey.DETAILS: details,
        SummaryKey.LAST_MESSAGES: messages,
        SummaryKey.LANGUAGE: turn.language,
    }


def queue(turn: Turn, reason: HandoffReason, priority: int = 0) -> None:
    """Put the conversation in the consultant queue and tell the citizen what happens next."""
    turn.effects.append(HandOff(reason, priority, summary(turn, reason)))
    turn.state.pending = None
    turn.state.suspended = None
    staffing = turn.context.staffing
    if staffing.open_now or staffing.next_opening is None:
        turn.say("handoff.queued_open", minutes=max(staffing.expected_wait_minutes, 5))
    else:
        turn.say("handoff.queued_closed", opening=turn.moment(staffing.next_opening))


def start_handoff(turn: Turn, reason: HandoffReason) -> None:
    """A person now if we are open; otherwise let the citizen choose chat later or a callback
    (unless already waiting: then the chat keeps its place in the queue)."""
    staffing = turn.context.staffing
    if staffing.open_now or staffing.next_opening is None or turn.context.waiting is not None:
        queue(turn, reason)
        return
    turn.ask(
        Menu(
            text=turn.t("handoff.closed_choice", opening=turn.moment(staffing.next_opening)),
            choices=turn.labels("handoff.closed_choices"),
            options=("handoff_wait", "callback"),
            reason=reason,
        )
    )


def misunderstood(turn: Turn, question: Question | None = None) -> bool:
    """Count a misunderstanding (of ``question``, if one was open); the second in a row hands
    over to a person, and then True."""
    turn.state.misses += 1
    if turn.state.misses < MISSES_BEFORE_HANDOFF:
        return False
    turn.state.misses = 0
    if question is not None:
        turn.facts["open_question"] = question.text
    turn.say("handoff.two_misses")
    start_handoff(turn, HandoffReason.MISUNDERSTOOD)
    return True
