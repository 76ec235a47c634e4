"""A photo, PDF or voice message from the citizen: a receipt, and never an absence on a guess.

The core has fetched and kept the files (a refused file is answered by the core); the message's
text is their caption. A file sent while an absence notice is open is most likely the sick
note: the bot asks whether it belongs to that notice and links it only after a yes. A caption
that reads like an absence ("her er min lægeerklæring") records nothing and proposes nothing by
itself: the citizen is asked whether they want to report an absence. Any other caption is read
as an ordinary message after the receipt.
"""

from __future__ import annotations

from flows.questions import Action
from flows.reading import fold
from flows.registry import Registry
from flows.turn import Turn
from flows.types import AttachToAbsence

# Internal intent: a yes to "does this belong to your absence notice?".
ATTACH_CONFIRMED = "attachment_to_absence"
# Words of a caption about the file itself, or an absence (folded, without æøå).
_ABSENCE_WORDS = ("laege", "attest", "erklaering", "sygemeld", "syg", "sick", "doctor", "note")


def register(registry: Registry) -> None:
    # The notice's id travels as the yes action's topic: it is not something the citizen told,
    # so it stays out of the facts a consultant reads.
    registry.intent(ATTACH_CONFIRMED, lambda turn, topic: _attach_confirmed(turn, topic))


def received(turn: Turn) -> bool:
    """Answer a message with files; False when its caption should still be read as a message."""
    kinds = turn.context.attachments
    if kinds:
        key = "several" if len(kinds) > 1 else _RECEIPTS.get(kinds[0], "file")
        turn.say(f"attachments.receipt_{key}")
    notice = turn.context.open_absence
    if kinds and notice is not None:
        turn.ask_yes_no(
            turn.t("attachments.ask_absence", start=turn.day(notice.starts_on)),
            yes=Action(start=ATTACH_CONFIRMED, topic=str(notice.notice_id)),
        )
        return True
    if turn.intent == "fravaer" or _about_absence(turn.text):
        turn.ask_yes_no(turn.t("attachments.offer_absence"), yes=Action(start="absence_report"))
        return True
    return not turn.text.strip()


# The receipt for one file, by its kind.
_RECEIPTS = {"photo": "photo", "document": "document", "voice": "voice", "audio": "voice"}


def _about_absence(text: str) -> bool:
    folded = fold(text)
    return any(word in folded for word in _ABSENCE_WORDS)


def _attach_confirmed(turn: Turn, topic: str | None) -> None:
    if topic is None or not topic.isdigit():
        turn.say("core.ok")
        return
    turn.effects.append(AttachToAbsence(int(topic)))
    turn.say("attachments.attached")
