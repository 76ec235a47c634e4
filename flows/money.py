"""How much, when it is paid, one-off help, and how far a case has come (issue 16:
``benefit_amount``, ``case_status``).

The bot never states an amount: the rate answer says where the rates are published and who knows
the citizen's own (the ydelseskontor). A case question names who decides and the kommune's duty
to keep to its published deadlines, then offers a person, who can look at the case.
"""

from __future__ import annotations

from flows.followup import offer_meeting_or_person, offer_person
from flows.reading import contains_any
from flows.referrals import OTHER_AUTHORITIES, PAYING_AUTHORITIES, refer
from flows.registry import Registry
from flows.turn import Turn
from flows.types import Topic

AMOUNT_TOPIC = Topic.BENEFIT_AMOUNT
CASE_TOPIC = Topic.CASE_STATUS
_PAYDAY = ("udbetal", "hvornar", "payday", "paid", "payment", "when")
_ONE_OFF = (
    "enkeltydelse",
    "engangs",
    "tandlaeg",
    "tandbehandl",
    "briller",
    "depositum",
    "flytning",
    "expense",
    "grant",
    "dentist",
    "glasses",
    "deposit",
)
# The cases a rehabiliteringsteam must see before the kommune decides.
_REHAB_CASES = ("fortidspen", "fleksjob", "flexjob", "ressourcefor", "rehab", "disability", "flex")


def register(registry: Registry) -> None:
    registry.intent("benefit_amount", lambda turn, _: benefit_amount(turn))
    registry.intent("case_status", lambda turn, _: case_status(turn))


def benefit_amount(turn: Turn) -> None:
    if refer(turn, only=PAYING_AUTHORITIES):
        return  # "hvor meget boligstøtte får jeg": Udbetaling Danmark knows, not the jobcenter
    turn.facts["topic"] = AMOUNT_TOPIC
    text = turn.text
    if contains_any(text, _ONE_OFF):
        key = "money.one_off"
    elif contains_any(text, _PAYDAY):
        key = "money.payday"
    else:
        key = "money.rates"
    turn.facts["amount_question"] = key.split(".", 1)[1]
    if turn.answer(key):
        offer_meeting_or_person(turn)


def case_status(turn: Turn) -> None:
    if refer(turn, only=OTHER_AUTHORITIES):
        return  # an application for folkepension or boligstøtte is Udbetaling Danmark's
    turn.facts["topic"] = CASE_TOPIC
    if contains_any(turn.text, _REHAB_CASES) and not turn.answer("money.who_decides"):
        return
    if turn.answer("money.case_time"):
        offer_person(turn, "followup.person_case")
