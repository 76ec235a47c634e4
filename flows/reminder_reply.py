"""Understanding a citizen's answer to a reminder: JA confirms, NEJ cancels, FLYT moves.

A pure module. The flow engine calls :func:`handle` (or ``ReminderReplyFlow.step``) first when
``context.pending_reminder`` is set; it returns a :class:`Step` when the message answers the
reminder, and ``None`` otherwise so the engine reads the message as usual. Crisis, requests for a
person and opt-outs are never taken here, nor is anything when a flow asked a question
(``FlowState.pending``) after the reminder was sent. Both take and return the stored state.

Answers are recognised by the reply words the reminder asks for (JA / NEJ / FLYT, or 1 / 2 / 3
for the buttons), by free text ("jeg kommer", "kan ikke", "en anden dag") and by the NLU intent
(affirm, deny, cancel_meeting, reschedule_meeting).

- JA: the booking is confirmed.
- "syg" ("jeg er syg", "mit barn er sygt"): :func:`flows.absence.propose` says it will send a
  sick notice and call the meeting off, and asks yes or no; only a yes does either.
- NEJ: the booking is cancelled, and a yes/no question offers a new time; its "yes" starts the
  booking flow (the flows' :class:`flows.questions.YesNo` question).
- FLYT: when the NLU already reads the message as ``reschedule_meeting`` the engine's own
  rescheduling (which offers free times right away) takes it: ``None``. Otherwise (a bare "3")
  a yes/no question whose "yes" starts rescheduling.
- A check-in answer ("Hvordan går det?") goes to the consultant queue with the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flows import absence
from flows.content import Content
from flows.questions import Action, YesNo
from flows.turn import Turn
from flows.types import (
    Effect,
    FlowContext,
    HandOff,
    HandoffReason,
    PendingReminder,
    Step,
    StoredState,
    SummaryKey,
)
from nlu.types import ParseResult

# Messages the engine must see first, whatever reminder is pending.
NEVER_TAKEN = frozenset({"crisis", "human_handoff", "opt_out", "privacy"})
CHECK_IN_HANDOFF_REASON = HandoffReason.CHECK_IN
# Check-in answers wait for a person but after everything urgent (crisis is 100).
CHECK_IN_PRIORITY = 0
RESCHEDULE_INTENT = "reschedule_meeting"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    MOVE = "move"


@dataclass(frozen=True, slots=True)
class ConfirmBooking(Effect):
    """The citizen will come: their active booking becomes confirmed."""

    booking_id: int


@dataclass(frozen=True, slots=True)
class DeclineBooking(Effect):
    """The citizen cannot come (NEJ to a reminder): their booking is cancelled, its slot freed."""

    booking_id: int
    reason: str = "reminder: NEJ"


@dataclass(frozen=True, slots=True)
class AnswerReminder(Effect):
    """Record the answer to a reminder, so it no longer captures the citizen's messages."""

    reminder_id: int
    answer: str


def yes_no_question(text: str, choices: tuple[str, ...], *, yes_starts: str) -> YesNo:
    """An open yes/no question whose "yes" starts the flow ``yes_starts``."""
    return YesNo(text=text, choices=choices, yes=Action(start=yes_starts))


_MOVE = re.compile(
    r"^(flyt\w*|3|ryk\w*)\b|\b(flytte|flyt|ryk(ke)?|ny tid|nyt tidspunkt|anden tid|andet tidspunkt"
    r"|en anden dag|senere tid)\b"
)
_NO = re.compile(
    r"^(nej\w*|no|2|naej)\b|\b(kan ikke|kommer ikke|kan jeg ikke|aflys\w*|afbud|afmeld\w*)\b"
)
_YES = re.compile(
    r"^(ja+|jep|jo|yes|ok(ay)?|oki|1|fint|super|klart)\b"
    r"|\b(jeg kommer|vi ses|det passer|bekræft\w*|kommer gerne|jeg er der)\b"
)
_INTENT_ANSWERS = {
    RESCHEDULE_INTENT: Answer.MOVE,
    "cancel_meeting": Answer.NO,
    "deny": Answer.NO,
    "affirm": Answer.YES,
}


def classify(parse: ParseResult) -> Answer | None:
    """JA / NEJ / FLYT in whatever words; ``None`` if the message is something else."""
    text = re.sub(r"[^\w\s]", " ", parse["text"].lower()).strip()
    text = re.sub(r"\s+", " ", text)
    # Order matters: "nej, kan vi flytte" moves, "jeg kommer ikke" declines.
    for pattern, answer in ((_MOVE, Answer.MOVE), (_NO, Answer.NO), (_YES, Answer.YES)):
        if pattern.search(text):
            return answer
    return _INTENT_ANSWERS.get(parse["intent"]["name"])


class ReminderReplyFlow:
    """Answers to reminders, worded from ``reminders.yml``."""

    def __init__(self, content: Content) -> None:
        self.content = content

    def step(self, state: StoredState, parse: ParseResult, context: FlowContext) -> Step | None:
        turn = Turn(self.content, parse, context, state, context.language)
        return turn.step() if self._answer(turn) else None

    def _answer(self, turn: Turn) -> bool:
        """Answer the pending reminder; False when the message does not answer it."""
        pending = turn.context.pending_reminder
        if pending is None or turn.intent in NEVER_TAKEN:
            return False
        if turn.pending is not None and not pending.latest:
            # A flow asked something after the reminder: its "ja" is not meant for the reminder.
            return False
        if pending.kind == "check_in":
            self._check_in_answer(turn, pending)
            return True
        if pending.booking_id is None:
            return False
        sick = absence.sick_reason(turn.text)
        if sick is not None:
            # "syg": a sick notice and calling the meeting off, both only after a yes.
            absence.propose(turn, sick, turn.text, booking_id=pending.booking_id, when=pending.when)
            return True
        answer = classify(turn.parse)
        if answer is None:
            return False
        answered = AnswerReminder(pending.reminder_id, answer.value)
        if answer is Answer.YES:
            turn.say("reminders.confirmed", when=pending.when)
            turn.effects.extend([answered, ConfirmBooking(pending.booking_id)])
            return True
        if answer is Answer.NO:
            question = turn.t("reminders.cancelled", when=pending.when)
            choices = turn.labels("reminders.new_time_choices")
            turn.ask(yes_no_question(question, choices, yes_starts="book_meeting"))
            turn.effects.extend([answered, DeclineBooking(pending.booking_id)])
            return True
        if turn.intent == RESCHEDULE_INTENT:
            return False  # the engine's rescheduling offers free times straight away
        question = turn.t("reminders.reschedule", when=pending.when)
        choices = turn.labels("reminders.reschedule_choices")
        turn.ask(yes_no_question(question, choices, yes_starts=RESCHEDULE_INTENT))
        turn.effects.append(answered)
        return True

    def _check_in_answer(self, turn: Turn, pending: PendingReminder) -> None:
        summary: dict[str, Any] = {
            SummaryKey.REASON: CHECK_IN_HANDOFF_REASON,
            SummaryKey.CHECK_IN_ANSWER: turn.text,
            SummaryKey.INTENT: turn.intent,
        }
        turn.effects.extend(
            [
                AnswerReminder(pending.reminder_id, CHECK_IN_HANDOFF_REASON),
                HandOff(CHECK_IN_HANDOFF_REASON, CHECK_IN_PRIORITY, summary),
            ]
        )
        turn.say("reminders.check_in_thanks")


def handle(
    state: StoredState, parse: ParseResult, context: FlowContext, content: Content
) -> Step | None:
    """The flow engine's hook: a Step if the message answers the pending reminder, else None."""
    return ReminderReplyFlow(content).step(state, parse, context)
