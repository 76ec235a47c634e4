"""Opting out of reminders: asked yes or no first, since the opt-out is never taken on a guess.

A message read as ``opt_out`` ("ingen påmindelser tak") asks whether the citizen wants no more
reminders; only a yes turns them off. SMS keywords (STOP and the rest) never come here: Twilio
and ``integrations/twilio/inbound.py`` handle them before the NLU.
"""

from __future__ import annotations

from flows.questions import Action
from flows.registry import Registry
from flows.turn import Turn
from flows.types import OptOutOfReminders

# Started by the answer to the question only (``Action.start``), never by the NLU.
CONFIRMED = "opt_out_confirmed"
DECLINED = "opt_out_declined"


def register(registry: Registry) -> None:
    registry.intent("opt_out", lambda turn, _: _ask(turn))
    registry.intent(CONFIRMED, lambda turn, _: _opt_out(turn))
    registry.intent(DECLINED, lambda turn, _: turn.say("optout.kept"))


def _ask(turn: Turn) -> None:
    if turn.context.reminders_opted_out:
        turn.say("optout.already")
        return
    turn.ask_yes_no(
        turn.t("optout.confirm"), yes=Action(start=CONFIRMED), no=Action(start=DECLINED)
    )


def _opt_out(turn: Turn) -> None:
    turn.effects.append(OptOutOfReminders())
    turn.say("core.opt_out")
