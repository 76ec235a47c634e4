"""The flow engine: one pure step per inbound message.

Order of reading a message, and why:
1. Crisis first, in every state: Livslinien and 112 before anything else, then a priority
   handoff. A crisis is never lost to a fallback or to an open question.
2. A reply to a pending reminder (JA / NEJ / FLYT) goes to ``flows.reminder_reply``.
3. The language: English when the citizen writes it or asks for it, Danish when they switch back.
4. The open question, if any: "2", "den første", "ja". A message that is clearly another topic
   suspends the open question, is answered, and the citizen is asked whether to carry on.
5. Otherwise the intent starts a flow. Two misunderstandings in a row hand over to a person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.kernel.cpr import CPR_MASK
from bot.kernel.messages import Reply
from flows import meetings, opening_hours, reminder_reply, topics
from flows.content import Content
from flows.handoff import CRISIS_PRIORITY, queue, start_handoff, summary
from flows.reading import (
    contains_any,
    fold,
    is_stop,
    language_asked_for,
    pick_choice,
    wanted_time,
    written_language,
    yes_or_no,
)
from flows.turn import Turn
from flows.types import (
    DeleteCitizenData,
    FlowContext,
    FlowState,
    HandOff,
    HandoffReason,
    OptOutOfReminders,
    SetLanguage,
    Step,
    Topic,
)
from nlu.types import FALLBACK_INTENT, ParseResult

# An intent this sure of itself may interrupt an open question (a topic change mid-flow).
SWITCH_CONFIDENCE = 0.6
# While collecting free-text answers (job wishes) only a very sure other topic interrupts.
FREE_TEXT_SWITCH_CONFIDENCE = 0.85
# A crisis ranked this high, even below the top intent, is treated as a crisis.
CRISIS_SAFETY_CONFIDENCE = 0.3
# Questions worth returning to after a topic change.
RESUMABLE = frozenset(
    {"slots", "confirm_slot", "confirm_cancel", "benefit", "pension_era", "absence_reason", "job"}
)
ALWAYS_SWITCH = frozenset({"crisis", "human_handoff", "opt_out", "privacy", "goodbye"})
NOT_A_TOPIC = frozenset({"affirm", "deny", FALLBACK_INTENT, "greet", "out_of_scope"})


class FlowEngine:
    def __init__(self, content: Content) -> None:
        self.content = content
        self._answers: dict[str, Callable[[Turn, dict[str, Any]], bool]] = {
            "slots": meetings.answer_slots,
            "confirm_slot": meetings.answer_confirm,
            "confirm_cancel": meetings.answer_cancel,
            "benefit": topics.answer_benefit,
            "pension_era": topics.answer_era,
            "absence_reason": topics.answer_absence_reason,
            "job": topics.answer_job,
            "yesno": self._answer_yes_no,
            "menu": self._answer_menu,
            "delete": self._answer_delete,
        }

    def step(self, state: FlowState, parse: ParseResult, context: FlowContext) -> Step:
        turn = Turn(self.content, parse, context, dict(state), context.language)
        self._choose_language(turn)
        if _is_crisis(parse):
            return self._crisis(turn)
        delegated = _reminder_reply(state, parse, context, self.content)
        if delegated is not None:
            return delegated
        pending = turn.pending
        if pending is not None and not self._interrupts(turn, pending):
            turn.clear_pending()
            if is_stop(turn.text):
                turn.state.pop("suspended", None)
                turn.say("core.ok")
                return self._finish(turn)
            handled = self._answers[str(pending["kind"])](turn, pending)
            if handled:
                turn.state["misses"] = 0
                return self._finish(turn)
            if pending["kind"] not in {"yesno", "menu"}:
                return self._not_understood(turn, pending)
            # An unanswered yes/no or menu is dropped; the message is read on its own.
        elif pending is not None and pending["kind"] in RESUMABLE:
            turn.state["suspended"] = {**pending, "flow": _family(turn.state.get("last_intent"))}
            turn.clear_pending()
        else:
            turn.clear_pending()
        self._start(turn, turn.intent)
        return self._finish(turn)

    def recover(self, state: FlowState, slot_id: int, context: FlowContext) -> Step:
        """The slot the citizen confirmed went to someone else: offer fresh times."""
        parse: ParseResult = {
            "text": "",
            "intent": {"name": FALLBACK_INTENT, "confidence": 0.0},
            "entities": [],
            "intent_ranking": [],
        }
        turn = Turn(self.content, parse, context, dict(state), context.language)
        meetings.recover(turn, slot_id)
        return turn.step()

    # Routing -----------------------------------------------------------------------------------

    def _interrupts(self, turn: Turn, pending: dict[str, Any]) -> bool:
        """Is this message another topic rather than an answer to the open question?"""
        intent = turn.intent
        if is_stop(turn.text) or pick_choice(turn.text, pending.get("choices", [])) is not None:
            return False
        if intent in ALWAYS_SWITCH and turn.confidence >= SWITCH_CONFIDENCE:
            return not (intent == "goodbye" and pending["kind"] == "job")
        if intent in NOT_A_TOPIC:
            return False
        if pending["kind"] == "job":
            if topics.looks_like_job_answer(turn, pending):
                return False
            return turn.confidence >= FREE_TEXT_SWITCH_CONFIDENCE and intent != "jobonsker"
        related = {
            "slots": {"book_meeting", "reschedule_meeting"},
            "confirm_slot": {"book_meeting", "reschedule_meeting"},
            "confirm_cancel": {"cancel_meeting"},
            "absence_reason": {"fravaer"},
            "benefit": {"loen_vs_pension", "feriedage"},
            "pension_era": {"loen_vs_pension"},
        }.get(str(pending["kind"]), set())
        return intent not in related and turn.confidence >= SWITCH_CONFIDENCE

    def _start(self, turn: Turn, intent: str, topic: str | None = None) -> None:
        if intent in {"affirm", "deny"} and yes_or_no(turn.parse) is None:
            intent = FALLBACK_INTENT  # a "yes" with no yes-word in it is a misunderstanding
        suspended = turn.state.get("suspended")
        if isinstance(suspended, dict) and suspended.get("flow") == _family(intent):
            turn.state.pop("suspended")  # the citizen starts that flow afresh
        if intent not in NOT_A_TOPIC:
            turn.state["misses"] = 0
            turn.state["last_intent"] = intent
        if intent == FALLBACK_INTENT:
            self._fallback(turn)
        elif intent == "greet":
            turn.state["misses"] = 0
            self._menu(turn, "core.greeting")
        elif intent == "goodbye":
            turn.state.pop("suspended", None)
            turn.say("core.goodbye")
        elif intent in {"affirm", "deny"}:
            turn.state["misses"] = 0
            self._menu(turn, "core.what_else")
        elif intent == "human_handoff":
            start_handoff(turn, HandoffReason.REQUESTED)
        elif intent == "out_of_scope":
            # Gibberish often lands here too: two in a row count as misunderstandings.
            misses = int(turn.state.get("misses", 0)) + 1
            turn.state["misses"] = misses
            if misses >= 2:
                turn.state["misses"] = 0
                turn.say("handoff.two_misses")
                start_handoff(turn, HandoffReason.MISUNDERSTOOD)
                return
            turn.ask_yes_no(turn.t("core.out_of_scope"), yes={"start": "unanswerable"})
        elif intent == "unanswerable":
            start_handoff(turn, HandoffReason.UNANSWERABLE)
        elif intent == "book_meeting":
            meetings.start_booking(turn, topic or _topic_of(turn))
        elif intent == "reschedule_meeting":
            meetings.start_reschedule(turn)
        elif intent == "cancel_meeting" and turn.context.next_meeting is None and _absent(turn):
            topics.absence(turn)  # "jeg kan ikke komme i dag" with no meeting: an absence
        elif intent == "cancel_meeting":
            meetings.start_cancel(turn)
        elif intent == "meeting_info" and turn.context.next_meeting is None and _wants_time(turn):
            meetings.start_booking(turn, topic or _topic_of(turn))  # "har I noget på onsdag?"
        elif intent == "meeting_info":
            meetings.show_meeting(turn)
        elif intent == "fravaer":
            topics.absence(turn)
        elif intent == "absence_report":
            topics.report_absence(turn, text="")
        elif intent == "feriedage":
            topics.holidays(turn)
        elif intent == "loen_vs_pension":
            topics.wages(turn)
        elif intent == "jobonsker":
            topics.job_wishes(turn)
        elif intent == "opening_hours":
            opening_hours.answer(turn)
        elif intent == "opt_out":
            turn.effects.append(OptOutOfReminders())
            turn.say("core.opt_out")
        elif intent == "privacy":
            self._privacy(turn)
        elif intent == "confirm_delete":
            self._confirm_delete(turn)
        elif intent == "handoff_wait":
            queue(turn, _chosen_reason(turn))
        elif intent == "callback":
            meetings.offer_slots(turn, meetings.CALLBACK, topic=Topic.CALLBACK, use_wanted=False)
        else:
            self._fallback(turn)

    def _finish(self, turn: Turn) -> Step:
        """Offer to return to a suspended question once nothing else is open."""
        suspended = turn.state.get("suspended")
        handed_off = any(isinstance(effect, HandOff) for effect in turn.effects)
        if isinstance(suspended, dict) and turn.pending is None and not handed_off:
            key = f"core.resume_{suspended.get('kind')}"
            if not self.content.has(turn.language, key):
                key = "core.resume_question"
            turn.ask_yes_no(turn.t(key), yes={"resume": True}, no={"drop": True})
        return turn.step()

    # Small flows -------------------------------------------------------------------------------

    def _menu(self, turn: Turn, key: str) -> None:
        options = [str(option) for option in self.content.raw(turn.language, "core.greeting_menu")]
        turn.ask("menu", turn.t(key), turn.labels("core.greeting_choices"), options=options)

    def _fallback(self, turn: Turn) -> None:
        misses = int(turn.state.get("misses", 0)) + 1
        turn.state["misses"] = misses
        if misses >= 2:
            turn.state["misses"] = 0
            turn.say("handoff.two_misses")
            start_handoff(turn, HandoffReason.MISUNDERSTOOD)
            return
        turn.say("core.fallback")

    def _not_understood(self, turn: Turn, pending: dict[str, Any]) -> Step:
        if turn.intent == "greet":
            # "hej" in the middle of a question is a greeting, not a misunderstanding.
            turn.say("core.hello_again")
            turn.replies.append(
                Reply(str(pending.get("text", "")), tuple(pending.get("choices", [])))
            )
            turn.state["pending"] = pending
            return turn.step()
        misses = int(turn.state.get("misses", 0)) + 1
        turn.state["misses"] = misses
        if misses >= 2:
            turn.state["misses"] = 0
            turn.facts["open_question"] = pending.get("text")
            turn.say("handoff.two_misses")
            start_handoff(turn, HandoffReason.MISUNDERSTOOD)
            return turn.step()
        turn.say("core.fallback_in_flow")
        # Ask the same question again, with the same choices and meaning.
        turn.replies.append(Reply(str(pending.get("text", "")), tuple(pending.get("choices", []))))
        turn.state["pending"] = pending
        return turn.step()

    def _answer_yes_no(self, turn: Turn, pending: dict[str, Any]) -> bool:
        answer = yes_or_no(turn.parse)
        if answer is None:
            index = pick_choice(turn.text, pending.get("choices", []))
            if index is None:
                return False
            answer = index == 0
        action: dict[str, Any] = dict((pending.get("yes") if answer else pending.get("no")) or {})
        if action.get("resume"):
            suspended = turn.state.pop("suspended", None)
            if isinstance(suspended, dict):
                turn.replies.append(
                    Reply(str(suspended.get("text", "")), tuple(suspended.get("choices", [])))
                )
                turn.state["pending"] = suspended
                return True
        if action.get("drop"):
            turn.state.pop("suspended", None)
        start = action.get("start")
        if start:
            self._start(turn, str(start), topic=action.get("topic"))
        else:
            turn.say("core.ok")
        return True

    def _answer_menu(self, turn: Turn, pending: dict[str, Any]) -> bool:
        index = pick_choice(turn.text, pending.get("choices", []))
        if index is None:
            return False
        options: list[str] = pending.get("options", [])
        if index >= len(options):
            return False
        if pending.get("reason"):
            turn.state["handoff_reason"] = pending["reason"]
        self._start(turn, options[index])
        return True

    def _privacy(self, turn: Turn) -> None:
        if _asks_deletion(turn.text):
            self._confirm_delete(turn)
            return
        turn.ask_yes_no(
            turn.t("privacy.what_we_store", days=turn.context.retention_days),
            yes={"start": "confirm_delete"},
        )

    def _confirm_delete(self, turn: Turn) -> None:
        turn.ask("delete", turn.t("privacy.confirm_delete"), turn.labels("privacy.delete_choices"))

    def _answer_delete(self, turn: Turn, pending: dict[str, Any]) -> bool:
        index = pick_choice(turn.text, pending.get("choices", []))
        answer = (index == 0) if index is not None else yes_or_no(turn.parse)
        if answer is None:
            return False
        if answer:
            turn.effects.append(DeleteCitizenData())
            turn.state.clear()
            turn.say("privacy.deleted")
        else:
            turn.say("privacy.kept")
        return True

    def _crisis(self, turn: Turn) -> Step:
        turn.state["last_intent"] = "crisis"
        turn.replies.clear()  # nothing before the crisis numbers
        turn.replies.append(Reply(turn.t("core.crisis")))
        reason = HandoffReason.CRISIS
        turn.effects.append(HandOff(reason, CRISIS_PRIORITY, summary(turn, reason)))
        turn.state.pop("pending", None)
        turn.state.pop("suspended", None)
        turn.state["misses"] = 0
        return turn.step()

    def _choose_language(self, turn: Turn) -> None:
        asked = language_asked_for(turn.text)
        written = asked or written_language(turn.text)
        if written is None or written == turn.language:
            return
        turn.language = written
        turn.effects.append(SetLanguage(written))
        # "English please" is about the language, whatever intent the NLU guessed.
        if asked is not None and (turn.intent in NOT_A_TOPIC or len(turn.text.split()) <= 4):
            turn.say("core.language_set")
            turn.parse = {**turn.parse, "intent": {"name": "greet", "confidence": 1.0}}


def _chosen_reason(turn: Turn) -> HandoffReason:
    """The reason kept while the citizen chose between waiting and a callback."""
    try:
        return HandoffReason(str(turn.state.get("handoff_reason")))
    except ValueError:  # none kept, or from an older version
        return HandoffReason.REQUESTED


def _topic_of(turn: Turn) -> str | None:
    topic = turn.facts.get("topic")
    return str(topic) if topic else None


def _wants_time(turn: Turn) -> bool:
    day, clock = wanted_time(turn.parse, turn.context.now, turn.tz)
    return day is not None or clock is not None


def _absent(turn: Turn) -> bool:
    return contains_any(turn.text, ("syg", "sick", "ill")) or any(
        phrase in turn.text.lower() for phrase in ("kan ikke komme", "can't come", "cannot come")
    )


def _family(intent: object) -> str:
    if intent in {"book_meeting", "reschedule_meeting", "cancel_meeting", "meeting_info"}:
        return "meetings"
    return str(intent)


def _asks_deletion(text: str) -> bool:
    text = text.replace(CPR_MASK, " ")  # "[CPR fjernet]" is our mask, not a wish to delete
    folded = fold(text)
    if any(phrase in folded for phrase in ("fjern mine", "fjern alt", "glem mig", "forget me")):
        return True
    return contains_any(text, ("slet", "delete", "erase"))


def _is_crisis(parse: ParseResult) -> bool:
    if parse["intent"]["name"] == "crisis":
        return True
    return any(
        score["name"] == "crisis" and score["confidence"] >= CRISIS_SAFETY_CONFIDENCE
        for score in parse.get("intent_ranking", [])
    )


def _reminder_reply(
    state: FlowState, parse: ParseResult, context: FlowContext, content: Content
) -> Step | None:
    """JA / NEJ / FLYT answers to a reminder we sent go to the reminders flow first; None when
    the message does not answer the pending reminder (then the flows read it as usual)."""
    if context.pending_reminder is None:
        return None
    return reminder_reply.handle(state, parse, context, content)
