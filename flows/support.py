"""A companion at meetings and getting ready for one (issue 16: ``companion``,
``meeting_prep``).

``companion``: a bisidder or a partsrepræsentant, what each may do and the consent it takes. A
message written on behalf of someone else ("jeg skriver for min søn", a bostøtte) is told whose
case it must be and offered a person only: nothing is booked in the writer's name.
``meeting_prep``: what to bring, a meeting by phone or video, an interpreter; the answer the
message asks for, else what to bring.
"""

from __future__ import annotations

from flows.followup import offer_meeting_or_person, offer_person, writes_on_behalf
from flows.reading import contains_any
from flows.registry import Registry
from flows.turn import Turn
from flows.types import Topic

COMPANION_TOPIC = Topic.COMPANION
MEETING_PREP_TOPIC = Topic.MEETING_PREP
_INTERPRETER = ("tolk", "interpret", "translat", "oversaet")
_REMOTE = ("telefon", "ringe", "video", "online", "teams", "hjemme", "phone", "call", "home")


def register(registry: Registry) -> None:
    registry.intent("companion", lambda turn, _: companion(turn))
    registry.intent("meeting_prep", lambda turn, _: meeting_prep(turn))


def companion(turn: Turn) -> None:
    turn.facts["topic"] = COMPANION_TOPIC
    if writes_on_behalf(turn.text):
        turn.facts["writes_on_behalf"] = True
        if turn.answer("support.on_behalf"):
            offer_person(turn, "followup.person_on_behalf")
        return
    if turn.answer("support.companion"):
        offer_meeting_or_person(turn)


def meeting_prep(turn: Turn) -> None:
    turn.facts["topic"] = MEETING_PREP_TOPIC
    if contains_any(turn.text, _INTERPRETER):
        key = "support.interpreter"
    elif contains_any(turn.text, _REMOTE):
        key = "support.remote_meeting"
    else:
        key = "support.bring"
    turn.facts["meeting_prep"] = key.split(".", 1)[1]
    if turn.answer(key):
        offer_meeting_or_person(turn)
