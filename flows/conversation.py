"""The small flows around the topics: greeting and its menu, goodbye, a yes or no out of the blue,
not understanding, and what we store with deleting it (opting out of reminders: opt_out.py)."""

from __future__ import annotations

from bot.kernel.cpr import CPR_MASK
from flows import referrals
from flows.handoff import misunderstood, start_handoff
from flows.questions import Action, ConfirmDelete, Menu
from flows.reading import contains_any, fold, pick_choice, yes_or_no
from flows.registry import Registry
from flows.state import FlowState
from flows.turn import Turn
from flows.types import DeleteCitizenData, HandoffReason
from nlu.types import FALLBACK_INTENT

# A message this long (three or four sentences) that the NLU cannot read goes to a person: on
# letters written blind from public pages, half were longer, and the bot read too few of them.
UNREAD_LETTER_CHARS = 250


def register(registry: Registry) -> None:
    registry.intent(FALLBACK_INTENT, lambda turn, _: fallback(turn))
    registry.intent("greet", lambda turn, _: _greet(turn))
    registry.intent("goodbye", lambda turn, _: _goodbye(turn))
    registry.intent("affirm", lambda turn, _: _what_else(turn))
    registry.intent("deny", lambda turn, _: _what_else(turn))
    registry.intent("out_of_scope", lambda turn, _: _out_of_scope(turn))
    registry.intent("privacy", lambda turn, _: _privacy(turn))
    registry.intent("confirm_delete", lambda turn, _: _confirm_delete(turn))
    registry.answer(ConfirmDelete, _answer_delete)


def fallback(turn: Turn) -> None:
    if referrals.refer(turn):
        return  # "kan jeg få tilskud til briller?" read as nothing: who handles it, and a person
    if len(turn.text) >= UNREAD_LETTER_CHARS:
        # Whoever wrote a whole letter is not asked to say it again in other words.
        turn.say("handoff.letter_not_understood")
        start_handoff(turn, HandoffReason.LETTER_NOT_UNDERSTOOD)
        return
    if not misunderstood(turn):
        turn.say("core.fallback")


def _menu(turn: Turn, key: str) -> None:
    options = tuple(str(option) for option in turn.content.raw(turn.language, "core.greeting_menu"))
    turn.ask(Menu(text=turn.t(key), choices=turn.labels("core.greeting_choices"), options=options))


def _greet(turn: Turn) -> None:
    turn.state.misses = 0
    _menu(turn, "core.greeting")


def _goodbye(turn: Turn) -> None:
    turn.state.suspended = None
    turn.say("core.goodbye")


def _what_else(turn: Turn) -> None:
    """A yes or no with nothing asked: offer the menu."""
    turn.state.misses = 0
    _menu(turn, "core.what_else")


def _out_of_scope(turn: Turn) -> None:
    if referrals.refer(turn):
        return  # a topic another authority handles: who, how to reach them, and a person
    # Gibberish often lands here too: two in a row count as misunderstandings.
    if not misunderstood(turn):
        turn.ask_yes_no(turn.t("core.out_of_scope"), yes=Action(start="unanswerable"))


def _privacy(turn: Turn) -> None:
    if _asks_deletion(turn.text):
        _confirm_delete(turn)
        return
    facts = turn.context.privacy
    key = (
        "privacy.what_we_store_sms"
        if turn.context.channel == "sms"
        else "privacy_web.what_we_store"
    )
    text = turn.t(
        key,
        controller=facts.controller,
        dpo_email=facts.dpo_email,
        url=facts.notice_url,
        messages=facts.messages_days,
        absence_notices=facts.absence_notices_days,
        job_profiles=facts.job_profiles_days,
        bookings=facts.bookings_days,
        inactive_citizens=facts.inactive_citizens_days,
    )
    turn.ask_yes_no(text, yes=Action(start="confirm_delete"))


def _confirm_delete(turn: Turn) -> None:
    turn.ask(
        ConfirmDelete(
            text=turn.t("privacy.confirm_delete"), choices=turn.labels("privacy.delete_choices")
        )
    )


def _answer_delete(turn: Turn, pending: ConfirmDelete) -> bool:
    index = pick_choice(turn.text, pending.choices)
    answer = (index == 0) if index is not None else yes_or_no(turn.parse)
    if answer is None:
        return False
    if answer:
        turn.effects.append(DeleteCitizenData())
        turn.state = FlowState()
        turn.say("privacy.deleted")
    else:
        turn.say("privacy.kept")
    return True


def _asks_deletion(text: str) -> bool:
    text = text.replace(CPR_MASK, " ")  # "[CPR fjernet]" is our mask, not a wish to delete
    folded = fold(text)
    if any(phrase in folded for phrase in ("fjern mine", "fjern alt", "glem mig", "forget me")):
        return True
    return contains_any(text, ("slet", "delete", "erase"))
