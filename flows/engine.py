"""The flow engine: one pure step per inbound message.

Order of reading a message, and why:
1. Crisis first, in every state: 112 and the help lines open now before anything else, then a
   priority handoff (:mod:`flows.crisis`). A crisis is never lost to a fallback or an open question.
   A message with a file (photo, PDF, voice) gets its receipt next (:mod:`flows.attachments`).
2. A reply to a pending reminder (JA / NEJ / FLYT) goes to ``flows.reminder_reply``.
3. The language: English when the citizen writes it or asks for it, Danish when they switch back.
4. While the citizen waits for a person, a message for the person is acknowledged
   (:mod:`flows.waiting`); errands (absence, meetings) go on to the flows.
5. The open question, if any: "2", "den første", "ja". A message that is clearly another topic
   suspends the open question, is answered, and the citizen is asked whether to carry on.
6. Otherwise the intent starts a flow: the handler each flow module registered for it
   (:mod:`flows.registry`). Two misunderstandings in a row hand over to a person.

The first reply on a channel says the citizen writes with a chatbot (EU AI Act art. 50).

The engine takes and returns the state in its stored form; inside, flows read a typed
:class:`flows.state.FlowState`.
"""

from __future__ import annotations

from bot.kernel.messages import Reply
from flows import (
    absence,
    after_close,
    attachments,
    callback_phone,
    concerns,
    conversation,
    crisis,
    handoff,
    job_wishes,
    meetings,
    on_behalf,
    opening_hours,
    opt_out,
    reminder_reply,
    topics,
    waiting,
)
from flows.content import Content
from flows.handoff import misunderstood
from flows.language import language_asked_for, written_language
from flows.questions import (
    Action,
    AskCallbackPhone,
    AskJobWish,
    ConsultantQuestion,
    Menu,
    PendingKind,
    Question,
    YesNo,
)
from flows.reading import (
    contains_any,
    is_stop,
    pick_choice,
    wanted_time,
    yes_or_no,
)
from flows.registry import Registry
from flows.state import Suspended
from flows.turn import Turn
from flows.types import (
    FlowContext,
    HandOff,
    HandoffReason,
    SetLanguage,
    Step,
    StoredState,
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
    {
        PendingKind.SLOTS,
        PendingKind.CONFIRM_SLOT,
        PendingKind.CONFIRM_CANCEL,
        PendingKind.BENEFIT,
        PendingKind.PENSION_ERA,
        PendingKind.ABSENCE_REASON,
        PendingKind.JOB,
    }
)
# Questions whose unanswered message is read on its own rather than as a misunderstanding.
DROPPED_UNANSWERED = frozenset({PendingKind.YES_NO, PendingKind.MENU})
ALWAYS_SWITCH = frozenset({"crisis", "human_handoff", "opt_out", "privacy", "goodbye"})
# Intents a courtesy word gives a message ("tak", "ok", "hej"): an answer in it still wins.
COURTESY = frozenset({"goodbye", "greet", "affirm", "deny"})
TIME_QUESTIONS = frozenset({PendingKind.SLOTS, PendingKind.CONFIRM_SLOT})
NOT_A_TOPIC = frozenset({"affirm", "deny", FALLBACK_INTENT, "greet", "out_of_scope"})
# The intents a message may have and still answer a question of the kind.
RELATED = {
    PendingKind.SLOTS: frozenset({"book_meeting", "reschedule_meeting"}),
    PendingKind.CONFIRM_SLOT: frozenset({"book_meeting", "reschedule_meeting"}),
    PendingKind.CONFIRM_CANCEL: frozenset({"cancel_meeting"}),
    PendingKind.ABSENCE_REASON: frozenset({"fravaer"}),
    PendingKind.BENEFIT: frozenset({"loen_vs_pension", "feriedage"}),
    PendingKind.PENSION_ERA: frozenset({"loen_vs_pension"}),
}


class FlowEngine:
    def __init__(self, content: Content) -> None:
        self.content = content
        self.registry = Registry()
        modules = (
            conversation,
            handoff,
            meetings,
            topics,
            absence,
            job_wishes,
            opening_hours,
            opt_out,
            attachments,
            callback_phone,
            on_behalf,
            after_close,
        )
        for module in modules:
            module.register(self.registry)
        # Answers that start another flow: the engine's own, since they route.
        self.registry.answer(YesNo, self._answer_yes_no)
        self.registry.answer(Menu, self._answer_menu)

    def step(self, state: StoredState, parse: ParseResult, context: FlowContext) -> Step:
        step = self._step(state, parse, context)
        return self._disclosed(step, context) if context.first_contact else step

    def _step(self, state: StoredState, parse: ParseResult, context: FlowContext) -> Step:
        turn = Turn(self.content, parse, context, state, context.language)
        self._choose_language(turn)
        if _is_crisis(parse):
            crisis.start(turn)
            return turn.step()
        if (context.attachments or context.attachment_refused) and attachments.received(turn):
            return self._finish(turn)
        delegated = _reminder_reply(state, parse, context, self.content)
        if delegated is not None:
            return delegated
        if context.waiting is not None and waiting.is_for_the_person(turn):
            waiting.acknowledge(turn, context.waiting)
            return turn.step()
        if on_behalf.notice(turn) and on_behalf.stops(turn):
            on_behalf.ask_whose(turn, str(turn.state.last_intent))
            return self._finish(turn)
        pending = turn.pending
        if pending is not None and not self._interrupts(turn, pending):
            turn.clear_pending()
            if is_stop(turn.text):
                turn.state.suspended = None
                turn.say("core.ok")
                return self._finish(turn)
            if self.registry.read_answer(turn, pending):
                turn.state.misses = 0
                return self._finish(turn)
            if pending.kind not in DROPPED_UNANSWERED:
                return self._not_understood(turn, pending)
            # An unanswered yes/no or menu is dropped; the message is read on its own.
        elif pending is not None and pending.kind in RESUMABLE:
            turn.state.suspended = Suspended(pending, _family(turn.state.last_intent))
            turn.clear_pending()
        else:
            turn.clear_pending()
        if context.waiting is not None and waiting.is_for_the_person(turn):
            waiting.acknowledge(turn, context.waiting)  # an errand's question left unanswered
            return self._finish(turn)
        if concerns.several(turn) and context.waiting is None:
            concerns.hand_off(turn)  # a person answers all of them, not the bot one of them
            return self._finish(turn)
        self._start(turn, turn.intent)
        return self._finish(turn)

    def recover(self, state: StoredState, slot_id: int, context: FlowContext) -> Step:
        """The slot the citizen confirmed went to someone else: offer fresh times."""
        parse: ParseResult = {
            "text": "",
            "intent": {"name": FALLBACK_INTENT, "confidence": 0.0},
            "entities": [],
            "intent_ranking": [],
        }
        turn = Turn(self.content, parse, context, state, context.language)
        meetings.recover(turn, slot_id)
        return turn.step()

    # Routing -----------------------------------------------------------------------------------

    def _interrupts(self, turn: Turn, pending: Question) -> bool:
        """Is this message another topic rather than an answer to the open question?"""
        intent = turn.intent
        if isinstance(pending, ConsultantQuestion):
            return False  # whatever it says is for the consultant who asked (crisis came first)
        if is_stop(turn.text) or pick_choice(turn.text, pending.choices) is not None:
            return False
        if isinstance(pending, AskCallbackPhone) and callback_phone.danish_phone(turn.text):
            return False  # a phone number is the answer, whatever the classifier makes of digits
        if intent in COURTESY and pending.kind in TIME_QUESTIONS and _wants_time(turn):
            return False  # "torsdag kl 10 tak": the time is the answer, the thanks a courtesy
        if intent in ALWAYS_SWITCH and turn.confidence >= SWITCH_CONFIDENCE:
            return not (intent == "goodbye" and isinstance(pending, AskJobWish))
        if intent in NOT_A_TOPIC:
            return False
        if isinstance(pending, AskJobWish):
            if job_wishes.looks_like_job_answer(turn, pending):
                return False
            return turn.confidence >= FREE_TEXT_SWITCH_CONFIDENCE and intent != "jobonsker"
        related = RELATED.get(pending.kind, frozenset())
        return intent not in related and turn.confidence >= SWITCH_CONFIDENCE

    def _start(self, turn: Turn, intent: str, topic: str | None = None) -> None:
        if intent in {"affirm", "deny"} and yes_or_no(turn.parse) is None:
            intent = FALLBACK_INTENT  # a "yes" with no yes-word in it is a misunderstanding
        suspended = turn.state.suspended
        if suspended is not None and suspended.flow == _family(intent):
            turn.state.suspended = None  # the citizen starts that flow afresh
        if intent not in NOT_A_TOPIC:
            turn.state.misses = 0
            turn.state.last_intent = intent
        intent = on_behalf.errand_named(turn, _reread(turn, intent))
        if on_behalf.must_ask(turn, intent):
            on_behalf.ask_whose(turn, intent)  # never an errand on the writer's record unasked
            return
        handler = self.registry.handler(intent)
        if handler is None:
            conversation.fallback(turn)
        else:
            handler(turn, topic)

    def _finish(self, turn: Turn) -> Step:
        """Offer to return to a suspended question once nothing else is open."""
        suspended = turn.state.suspended
        handed_off = any(isinstance(effect, HandOff) for effect in turn.effects)
        if suspended is not None and turn.pending is None and not handed_off:
            key = f"core.resume_{suspended.question.kind}"
            if not self.content.has(turn.language, key):
                key = "core.resume_question"
            turn.ask_yes_no(turn.t(key), yes=Action(resume=True), no=Action(drop=True))
        return turn.step()

    # Answers that route ------------------------------------------------------------------------

    def _not_understood(self, turn: Turn, pending: Question) -> Step:
        if turn.intent == "greet":
            # "hej" in the middle of a question is a greeting, not a misunderstanding.
            turn.say("core.hello_again")
            turn.ask(pending)
            return turn.step()
        if misunderstood(turn, pending):
            return turn.step()
        turn.say("core.fallback_in_flow")
        turn.ask(pending)  # the same question again, with the same choices and meaning
        return turn.step()

    def _answer_yes_no(self, turn: Turn, pending: YesNo) -> bool:
        answer = yes_or_no(turn.parse)
        if answer is None:
            index = pick_choice(turn.text, pending.choices)
            if index is None:
                return False
            answer = index == 0
        action = pending.yes if answer else pending.no
        if action.resume and turn.state.suspended is not None:
            turn.ask(turn.state.suspended.question)
            turn.state.suspended = None
            return True
        if action.drop:
            turn.state.suspended = None
        if action.start:
            self._start(turn, action.start, topic=action.topic)
        else:
            turn.say("core.ok")
        return True

    def _answer_menu(self, turn: Turn, pending: Menu) -> bool:
        index = pick_choice(turn.text, pending.choices)
        if index is None:
            index = on_behalf.whose_choice(turn.text, pending)
        if index is None or index >= len(pending.options):
            return False
        if pending.reason is not None:
            turn.state.handoff_reason = pending.reason
        on_behalf.chosen(turn, pending, index)
        self._start(turn, pending.options[index])
        return True

    # Before everything -------------------------------------------------------------------------

    def _disclosed(self, step: Step, context: FlowContext) -> Step:
        """The step with the notice that a chatbot answers, unless the greeting already says it.

        It opens the first reply (its own message on SMS, where each message has a length
        limit), but follows the crisis numbers, which always come first.
        """
        language = context.language
        for effect in step.effects:
            if isinstance(effect, SetLanguage):
                language = effect.language
        greeting = self.content.text(language, "core.greeting")
        if any(reply.text == greeting for reply in step.replies):
            return step
        notice = self.content.text(language, "core.bot_disclosure")
        in_crisis = any(
            isinstance(effect, HandOff) and effect.reason == HandoffReason.CRISIS
            for effect in step.effects
        )
        replies = list(step.replies)
        if in_crisis or not replies:
            replies.append(Reply(notice))
        elif context.channel == "sms":
            replies.insert(0, Reply(notice))
        else:
            first = replies[0]
            replies[0] = Reply(f"{notice}\n\n{first.text}", first.choices)
        return Step(replies, step.effects, step.next_state)

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


def _reread(turn: Turn, intent: str) -> str:
    """The intent to handle, where the NLU's reading does not fit the citizen's situation."""
    if intent == "cancel_meeting" and turn.context.next_meeting is None and _absent(turn):
        return "fravaer"  # "jeg kan ikke komme i dag" with no meeting: an absence
    if intent == "meeting_info" and turn.context.next_meeting is None and _wants_time(turn):
        return "book_meeting"  # "har I noget på onsdag?"
    return intent


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


def _is_crisis(parse: ParseResult) -> bool:
    if parse["intent"]["name"] == "crisis" or concerns.crisis_in_a_sentence(parse):
        return True
    return any(
        score["name"] == "crisis" and score["confidence"] >= CRISIS_SAFETY_CONFIDENCE
        for score in parse.get("intent_ranking", [])
    )


def _reminder_reply(
    state: StoredState, parse: ParseResult, context: FlowContext, content: Content
) -> Step | None:
    """JA / NEJ / FLYT answers to a reminder we sent go to the reminders flow first; None when
    the message does not answer the pending reminder (then the flows read it as usual)."""
    if context.pending_reminder is None:
        return None
    return reminder_reply.handle(state, parse, context, content)
