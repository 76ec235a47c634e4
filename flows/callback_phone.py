"""Asking a citizen who booked a phone callback which number to call, when none is known
(a citizen who writes only on Telegram or in the web chat).

The number must read as a Danish one: 8 digits, not starting with 0 or 1, with an optional
+45 or 0045 in front and spaces, dots or dashes anywhere. It is kept with
:class:`SetCallbackPhone` (the citizen's ``callback_phone``, never used to link identities).
"""

from __future__ import annotations

import re

from flows.questions import AskCallbackPhone
from flows.registry import Registry
from flows.turn import Turn
from flows.types import SetCallbackPhone

_SEPARATORS = re.compile(r"[\s.\-()/]")
_DANISH = re.compile(r"^(?:\+45|0045)?([2-9][0-9]{7})$")
_DIGIT = re.compile(r"[0-9]")


def register(registry: Registry) -> None:
    registry.answer(AskCallbackPhone, answer_phone)


def danish_phone(text: str) -> str | None:
    """``+45`` and the 8 digits of a Danish number written in ``text``, else None."""
    match = _DANISH.match(_SEPARATORS.sub("", text.strip()))
    return f"+45{match.group(1)}" if match else None


def ask_if_unknown(turn: Turn) -> None:
    """After a callback was booked or queued: ask for the number if there is none."""
    if not turn.context.phone_known:
        turn.ask(AskCallbackPhone(text=turn.t("reach.ask_callback_phone")))


def answer_phone(turn: Turn, pending: AskCallbackPhone) -> bool:
    """A number: kept; digits that are no Danish number: asked again; other words: not an
    answer (the engine reads them as usual)."""
    phone = danish_phone(turn.text)
    if phone is None:
        if not _DIGIT.search(turn.text):
            return False
        turn.ask(AskCallbackPhone(text=turn.t("reach.callback_phone_invalid")))
        return True
    turn.clear_pending()
    turn.effects.append(SetCallbackPhone(phone))
    spaced = " ".join(phone[3:][i : i + 2] for i in range(0, 8, 2))
    turn.say("reach.callback_phone_saved", phone=spaced)
    return True
