"""Understanding a citizen's answer to a reminder: JA confirms, NEJ cancels, FLYT moves.

A pure module: ``step(state, parse, context)`` returns a :class:`Step` when the message answers
the reminder in ``context.pending_reminder`` (or our own follow-up question), and ``None``
otherwise so the flow engine handles the message as usual. Crisis, requests for a person and
opt-outs are never taken here. Effects are plain data carried out by ``bot/reminders.py``.

Answers are recognised by the reply words the reminder asks for (JA / NEJ / FLYT, or 1 / 2 / 3
for the buttons), by free text ("jeg kommer", "kan ikke", "en anden dag") and by the NLU intent
(affirm, deny, cancel_meeting, reschedule_meeting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.messages import Reply
from flows.content import Content
from flows.types import Effect, FlowContext, FlowState, HandOff, PendingReminder, Step
from nlu.types import ParseResult

STATE_KEY = "reminder_reply"
# Messages the engine must see first, whatever reminder is pending.
NEVER_TAKEN = frozenset({"crisis", "human_handoff", "opt_out", "privacy"})
CHECK_IN_HANDOFF_REASON = "check_in"
# Check-in answers wait for a person but after everything urgent (crisis is 100).
CHECK_IN_PRIORITY = 0


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    MOVE = "move"


@dataclass(frozen=True, slots=True)
class ConfirmBooking(Effect):
    """The citizen will come: the booking becomes confirmed."""

    booking_id: int
    reminder_id: int


@dataclass(frozen=True, slots=True)
class DeclineBooking(Effect):
    """The citizen cannot come (NEJ to a reminder): the booking is cancelled and its slot freed."""

    booking_id: int
    reminder_id: int


@dataclass(frozen=True, slots=True)
class AnswerReminder(Effect):
    """Record that the reminder was answered (FLYT, a check-in answer), so it stops pending."""

    reminder_id: int
    answer: str


def booking_flow_state(reschedule_booking_id: int | None) -> FlowState:
    """The state that starts the booking flow: moving ``reschedule_booking_id``, or a new time.

    The booking flow (flows helper) owns this shape; it is kept in one place so the two agree.
    """
    return {"flow": "booking", "step": "start", "reschedule_booking_id": reschedule_booking_id}


_MOVE = re.compile(
    r"^(flyt\w*|3|ryk\w*)\b|\b(flytte|flyt|ryk(ke)?|ny tid|nyt tidspunkt|anden tid|andet tidspunkt"
    r"|en anden dag|senere tid)\b"
)
_NO = re.compile(
    r"^(nej\w*|no|2|naej)\b|\b(kan ikke|kommer ikke|kan jeg ikke|aflys\w*|afbud|afmeld\w*|syg)\b"
)
_YES = re.compile(
    r"^(ja+|jep|jo|yes|ok(ay)?|oki|1|fint|super|klart)\b"
    r"|\b(jeg kommer|vi ses|det passer|bekræft\w*|kommer gerne|jeg er der)\b"
)
_INTENT_ANSWERS = {
    "reschedule_meeting": Answer.MOVE,
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

    def step(self, state: FlowState, parse: ParseResult, context: FlowContext) -> Step | None:
        if parse["intent"]["name"] in NEVER_TAKEN:
            return None
        ours: dict[str, Any] = state.get(STATE_KEY) or {}
        if "offer_new_time" in ours:
            return self._new_time_answer(state, parse, context, ours)
        pending = context.pending_reminder
        if pending is None or any(key != STATE_KEY for key in state):
            # Another flow waits for an answer: its "ja" is not meant for the reminder.
            return None
        if pending.kind == "check_in":
            return self._check_in_answer(state, parse, context, pending)
        if pending.booking_id is None:
            return None
        answer = classify(parse)
        if answer is None:
            return None
        lang = context.language
        text = self.content.text
        rest = _without_ours(state)
        if answer is Answer.YES:
            reply = Reply(text(lang, "reminders.confirmed", when=pending.when))
            return Step([reply], [ConfirmBooking(pending.booking_id, pending.reminder_id)], rest)
        if answer is Answer.NO:
            choices = tuple(self.content.raw(lang, "reminders.new_time_choices"))
            reply = Reply(text(lang, "reminders.cancelled", when=pending.when), choices)
            next_state = {**rest, STATE_KEY: {"offer_new_time": pending.booking_id}}
            effects: list[Effect] = [DeclineBooking(pending.booking_id, pending.reminder_id)]
            return Step([reply], effects, next_state)
        reply = Reply(text(lang, "reminders.reschedule"))
        effects = [AnswerReminder(pending.reminder_id, Answer.MOVE.value)]
        return Step([reply], effects, {**rest, **booking_flow_state(pending.booking_id)})

    def _new_time_answer(
        self, state: FlowState, parse: ParseResult, context: FlowContext, ours: dict[str, Any]
    ) -> Step | None:
        lang = context.language
        rest = _without_ours(state)
        answer = classify(parse)
        # The buttons read "Ja, en ny tid" / "Nej tak".
        if answer in (Answer.YES, Answer.MOVE):
            reply = Reply(self.content.text(lang, "reminders.reschedule"))
            return Step([reply], [], {**rest, **booking_flow_state(None)})
        if answer is Answer.NO:
            return Step([Reply(self.content.text(lang, "reminders.no_new_time"))], [], rest)
        return None

    def _check_in_answer(
        self, state: FlowState, parse: ParseResult, context: FlowContext, pending: PendingReminder
    ) -> Step:
        summary = {
            "reason": CHECK_IN_HANDOFF_REASON,
            "check_in_answer": parse["text"],
            "intent": parse["intent"]["name"],
        }
        effects: list[Effect] = [
            AnswerReminder(pending.reminder_id, CHECK_IN_HANDOFF_REASON),
            HandOff(CHECK_IN_HANDOFF_REASON, CHECK_IN_PRIORITY, summary),
        ]
        reply = Reply(self.content.text(context.language, "reminders.check_in_thanks"))
        return Step([reply], effects, _without_ours(state))


def _without_ours(state: FlowState) -> FlowState:
    return {key: value for key, value in state.items() if key != STATE_KEY}


def step(
    state: FlowState, parse: ParseResult, context: FlowContext, content: Content
) -> Step | None:
    """Functional entry: ``ReminderReplyFlow(content).step(state, parse, context)``."""
    return ReminderReplyFlow(content).step(state, parse, context)
