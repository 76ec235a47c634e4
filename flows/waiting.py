"""A message from a citizen who waits for a person (the conversation is in the consultant queue).

Never silence: each message gets a short acknowledgement with when to expect an answer (in
about N minutes while we are open, else when we open), but a burst gets one, not one per
message (``FlowContext.acknowledge_every``). A citizen waiting after a crisis gets the crisis
numbers again every time, as silence is the worst answer there. Errands still work while
waiting (an absence notice, booking or moving a meeting): those messages go to their flows, and
the conversation keeps its place and priority in the queue.
"""

from __future__ import annotations

from flows import crisis
from flows.handoff import CRISIS_PRIORITY
from flows.turn import Turn
from flows.types import Waiting

# Intents that are something to get done, not a message for the person: the flows handle them.
# Not opening hours: "er I der?" reads as one, and the acknowledgement says when anyway.
ERRANDS = frozenset(
    {
        "fravaer",
        "book_meeting",
        "reschedule_meeting",
        "cancel_meeting",
        "meeting_info",
        "opt_out",
        "privacy",
    }
)
# An errand this sure of itself is taken as one; below it the message is for the person.
ERRAND_CONFIDENCE = 0.6


def is_for_the_person(turn: Turn) -> bool:
    """Whether the message waits for the person (and is acknowledged), not an errand's."""
    if turn.pending is not None:
        return False  # an errand begun while waiting goes on: "2", "ja"
    return not (turn.intent in ERRANDS and turn.confidence >= ERRAND_CONFIDENCE)


def acknowledge(turn: Turn, waiting: Waiting) -> None:
    """Tell the citizen we have the message and when to expect an answer; once per burst."""
    if waiting.priority >= CRISIS_PRIORITY:
        crisis.again(turn)
        return
    now = turn.context.now
    last = turn.state.acknowledged_at
    if last is not None and waiting.since is not None and last < waiting.since:
        last = None  # told while waiting an earlier time
    if last is not None and now - last < turn.context.acknowledge_every:
        return  # the same burst: it was acknowledged a moment ago
    turn.state.acknowledged_at = now
    staffing = turn.context.staffing
    if staffing.open_now or staffing.next_opening is None:
        turn.say("handoff.waiting_open", minutes=max(staffing.expected_wait_minutes, 5))
    else:
        turn.say("handoff.waiting_closed", opening=turn.moment(staffing.next_opening))
