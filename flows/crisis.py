"""The reply to a message about suicide, self-harm or acute danger, in any state.

First the help that is open now: 112, then each help line of the config (``crisis.help_lines``)
with whether it answers now, in Copenhagen time. Then when a person sees the message: now, when
we are open, or at the next opening; never "right away" while nobody is there. The conversation
goes first in the consultant queue. A waiting crisis citizen's next messages ("hallo?") get the
numbers again (:func:`again`), and the first reply says that absence notices and meetings can
still be handled here, as the message may have been taken as crisis by mistake.
"""

from __future__ import annotations

from flows.handoff import CRISIS_PRIORITY, summary
from flows.opening_hours import clock_of
from flows.turn import Turn
from flows.types import HandOff, HandoffReason

CRISIS_INTENT = "crisis"


def start(turn: Turn) -> None:
    """The crisis numbers before anything else, then a priority handoff."""
    turn.state.last_intent = CRISIS_INTENT
    turn.replies.clear()  # nothing before the crisis numbers
    turn.say_text(numbers(turn, "crisis.intro"))
    reason = HandoffReason.CRISIS
    turn.effects.append(HandOff(reason, CRISIS_PRIORITY, summary(turn, reason)))
    turn.state.pending = None
    turn.state.suspended = None
    turn.state.misses = 0
    # Two messages, not one: on SMS each stays within its segments, the numbers never cut.
    turn.say_text(f"{person_when(turn)}\n{turn.t('crisis.errands')}")


def again(turn: Turn) -> None:
    """A waiting crisis citizen writes again: the numbers and when a person sees it, each time."""
    turn.say_text(numbers(turn, "crisis.again"))
    turn.say_text(person_when(turn))


def numbers(turn: Turn, intro_key: str) -> str:
    """112, then every help line with whether it is open now and until or from when."""
    local = turn.context.now.astimezone(turn.tz).time()
    lines = [turn.t(intro_key)]
    for line in turn.context.help_lines:
        called = {"name": line.name, "phone": line.phone}
        if line.opens is None or line.closes is None:
            lines.append(turn.t("crisis.line_always", **called))
        elif line.open_at(local):
            lines.append(turn.t("crisis.line_open", closes=clock_of(turn, line.closes), **called))
        else:
            lines.append(turn.t("crisis.line_closed", opens=clock_of(turn, line.opens), **called))
    return "\n".join(lines)


def person_when(turn: Turn) -> str:
    """When a person will see the message: now while we are open, else at the next opening."""
    staffing = turn.context.staffing
    if staffing.open_now or staffing.next_opening is None:
        return turn.t("crisis.person_open")
    return turn.t("crisis.person_closed", opening=turn.moment(staffing.next_opening))
