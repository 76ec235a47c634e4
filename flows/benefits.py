"""Holiday and wage answers per benefit situation.

The rules differ for each benefit (and for a wage earner), so the flow asks which one the citizen
receives unless the message says it already ("min førtidspension fra 1998", "jeg er i skånejob").
A disability pension's wage rules differ again by when it was granted, so that is asked next.
Amounts are never calculated or promised: each answer says who calculates them, and a wage answer
offers a meeting.
"""

from __future__ import annotations

import re

from flows.questions import Action, ChooseBenefit, ChoosePensionEra
from flows.reading import contains_any, fold, pick_choice
from flows.turn import Turn
from flows.types import Topic

PENSION, SHELTERED_JOB, FLEX, FLEX_BENEFIT, CASH, SICK_PAY, JOB = (
    "pension",
    "skaanejob",
    "flex",
    "ledighedsydelse",
    "cash_benefit",
    "sick_pay",
    "job",
)
# The benefits (and work) an answer depends on, as kept in ``facts["benefit"]``.
BENEFITS = (PENSION, SHELTERED_JOB, FLEX, FLEX_BENEFIT, CASH, SICK_PAY, JOB)
# Read in this order: the more specific situation first ("skånejob på førtidspension" is a
# skånejob, "ledighedsydelse før mit fleksjob" is ledighedsydelse).
_BENEFIT_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (SHELTERED_JOB, ("skanejob", "skaanejob", "sheltered")),
    (SICK_PAY, ("sygedagpen", "sickness", "sickpay")),
    (FLEX_BENEFIT, ("ledighedsyd", "ledigheds")),
    (FLEX, ("fleks", "flex")),
    (CASH, ("kontant", "cash", "uddannelseshj")),
    (PENSION, ("fortidspen", "fortids", "pension", "pention", "pesion", "disability")),
)
_WORK = ("job", "arbejd", "work", "employ", "lonmodt", "ansat")
# A pension question about a stay abroad is answered with the rule for stays abroad.
_ABROAD = ("udland", "abroad", "rejs", "travel", "thailand", "tyrkiet", "hjemland")
_HOLIDAY_ANSWERS = {
    JOB: "holiday_job",
    FLEX: "holiday_flexjob",
    FLEX_BENEFIT: "holiday_ledighedsydelse",
    CASH: "holiday_cash_benefit",
    PENSION: "holiday_pension",
    SHELTERED_JOB: "holiday_skaanejob",
    SICK_PAY: "holiday_sick_pay",
}
_WAGE_ANSWERS = {
    SHELTERED_JOB: "wage_skaanejob",
    FLEX: "wage_flexjob",
    FLEX_BENEFIT: "wage_ledighedsydelse",
    CASH: "wage_cash_benefit",
    SICK_PAY: "wage_sick_pay",
}
# The benefit of each choice, in the order of ``topics.benefit_holiday_choices`` and
# ``topics.benefit_wage_choices``.
_HOLIDAY_OPTIONS = (JOB, FLEX, FLEX_BENEFIT, CASH, PENSION, SHELTERED_JOB, SICK_PAY)
_WAGE_OPTIONS = (PENSION, SHELTERED_JOB, FLEX, FLEX_BENEFIT, CASH, SICK_PAY)
_ERA_OPTIONS = ("old", "new", "unknown")
# What ``facts["pension_granted"]`` holds for each answer about when the pension was granted.
PENSION_GRANTED = {"old": "before 2003", "new": "2003 or later", "unknown": "unknown"}
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def benefit_in(text: str) -> str | None:
    """The benefit a message names, the most specific first; None when it names none."""
    for benefit, stems in _BENEFIT_STEMS:
        if contains_any(text, stems):
            return benefit
    return None


def _era_in(text: str) -> str | None:
    year = _YEAR.search(text)
    if year:
        return "old" if int(year.group(1)) < 2003 else "new"
    folded = fold(text)
    if any(word in folded for word in ("gamle", "gammel", "old rules", "before")):
        return "old"
    if any(word in folded for word in ("nye regler", "ny ordning", "nye ordning", "new rules")):
        return "new"
    if any(word in folded for word in ("ved ikke", "aner ikke", "don t know", "dont know")):
        return "unknown"
    return None


def _known_benefit(turn: Turn, options: tuple[str, ...]) -> str | None:
    """The benefit the citizen told us earlier in this conversation, if it is one of ``options``."""
    known = turn.facts.get("benefit")
    return known if isinstance(known, str) and known in options else None


# Holidays ------------------------------------------------------------------------------------


def holidays(turn: Turn) -> None:
    turn.facts["topic"] = Topic.HOLIDAYS
    benefit = benefit_in(turn.text) or _known_benefit(turn, _HOLIDAY_OPTIONS)
    if benefit is None and contains_any(turn.text, _WORK):
        benefit = JOB
    if benefit is None:
        turn.ask(
            ChooseBenefit(
                text=turn.t("topics.ask_benefit_holiday"),
                choices=turn.labels("topics.benefit_holiday_choices"),
                holiday=True,
                options=_HOLIDAY_OPTIONS,
            )
        )
        return
    _answer_holiday(turn, benefit)


def _answer_holiday(turn: Turn, benefit: str) -> None:
    turn.facts["benefit"] = benefit
    turn.clear_pending()
    turn.answer(_HOLIDAY_ANSWERS[benefit])


# Wages and benefits --------------------------------------------------------------------------


def wages(turn: Turn) -> None:
    turn.facts["topic"] = Topic.WAGES
    benefit = benefit_in(turn.text) or _known_benefit(turn, _WAGE_OPTIONS)
    if benefit == PENSION and contains_any(turn.text, _ABROAD):
        _answer_holiday(turn, benefit)
        return
    if benefit is None:
        turn.ask(
            ChooseBenefit(
                text=turn.t("topics.ask_benefit_wage"),
                choices=turn.labels("topics.benefit_wage_choices"),
                options=_WAGE_OPTIONS,
            )
        )
        return
    _answer_wage(turn, benefit)


def _answer_wage(turn: Turn, benefit: str) -> None:
    turn.facts["benefit"] = benefit
    if benefit == PENSION:
        era = _era_in(turn.text)
        if era is None:
            turn.ask(
                ChoosePensionEra(
                    text=turn.t("topics.ask_pension_era"),
                    choices=turn.labels("topics.pension_era_choices"),
                    options=_ERA_OPTIONS,
                )
            )
            return
        _answer_pension(turn, era)
        return
    turn.clear_pending()
    if turn.answer(_WAGE_ANSWERS[benefit]):
        _offer_meeting(turn)


def _answer_pension(turn: Turn, era: str) -> None:
    turn.facts["pension_granted"] = PENSION_GRANTED.get(era, PENSION_GRANTED["unknown"])
    turn.clear_pending()
    if turn.answer(f"wage_pension_{era}"):
        _offer_meeting(turn)


def _offer_meeting(turn: Turn) -> None:
    turn.ask_yes_no(
        turn.t("topics.amount_note"), yes=Action(start="book_meeting", topic=Topic.WAGES)
    )


def answer_benefit(turn: Turn, pending: ChooseBenefit) -> bool:
    index = pick_choice(turn.text, pending.choices)
    options = pending.options
    benefit = options[index] if index is not None and index < len(options) else None
    benefit = benefit or benefit_in(turn.text)
    if benefit is None and pending.holiday and contains_any(turn.text, _WORK):
        benefit = JOB
    if benefit is None:
        return False
    if pending.holiday:
        _answer_holiday(turn, benefit)
    elif benefit in _WAGE_OPTIONS:
        _answer_wage(turn, benefit)
    else:
        return False
    return True


def answer_era(turn: Turn, pending: ChoosePensionEra) -> bool:
    index = pick_choice(turn.text, pending.choices)
    era = _ERA_OPTIONS[index] if index is not None else _era_in(turn.text)
    if era is None:
        return False
    _answer_pension(turn, era)
    return True
