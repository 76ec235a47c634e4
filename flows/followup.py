"""The offer every new topic ends with: a meeting or a person (issue 16).

The choices start the existing flows (``book_meeting``, ``human_handoff``), so a booking made from
here carries the topic kept in ``facts["topic"]``; a writer on behalf of someone else is offered a
person only, since a booking would be made in the writer's name.
"""

from __future__ import annotations

from flows.questions import Action, Menu
from flows.turn import Turn

MEETING_OR_PERSON = ("book_meeting", "human_handoff")


def offer_meeting_or_person(turn: Turn) -> None:
    turn.ask(
        Menu(
            text=turn.t("followup.meeting_or_person"),
            choices=turn.labels("followup.meeting_or_person_choices"),
            options=MEETING_OR_PERSON,
        )
    )


def offer_person(turn: Turn, key: str = "followup.person", start: str = "human_handoff") -> None:
    """A yes/no: a yes hands over to a person (``start``: the handoff reason's flow)."""
    turn.ask_yes_no(turn.t(key), yes=Action(start=start))
