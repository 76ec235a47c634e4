"""The offer every new topic ends with: a meeting or a person (issue 16).

A yes/no, as the wage answers' offer: "ja" is the commonest reply and books a meeting about the
topic kept in ``facts["topic"]``; the text says how to reach a person instead ("medarbejder" is
read as asking for one, whatever is open). A writer on behalf of someone else is offered a person
only, since a booking would be made in the writer's name.
"""

from __future__ import annotations

from flows.on_behalf import writes_on_behalf
from flows.questions import Action
from flows.turn import Turn


def offer_meeting_or_person(turn: Turn) -> None:
    if turn.facts.get("writes_on_behalf") or writes_on_behalf(turn.text):
        turn.facts["writes_on_behalf"] = True
        offer_person(turn, "followup.person_on_behalf")
        return
    turn.ask_yes_no(
        turn.t("followup.meeting_or_person"),
        yes=Action(start="book_meeting", topic=turn.state.topic),
    )


def offer_person(turn: Turn, key: str = "followup.person", start: str = "human_handoff") -> None:
    """A yes/no: a yes hands over to a person (``start``: the handoff reason's flow)."""
    turn.ask_yes_no(turn.t(key), yes=Action(start=start))
