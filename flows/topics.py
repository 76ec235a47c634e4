"""The topics: sourced answers (ferie, løn og pension); absence notices are in
:mod:`flows.absence`, job wishes in :mod:`flows.job_wishes`.

An answer depends on the citizen's benefit, so the flow asks that first unless the message says
it already ("min førtidspension fra 1998"). Amounts are never calculated or promised: the answer
says who calculates them and offers a meeting.
"""

from __future__ import annotations

import re

from flows.questions import Action, ChooseBenefit, ChoosePensionEra
from flows.reading import contains_any, fold, pick_choice
from flows.registry import Registry
from flows.turn import Turn
from flows.types import Topic

PENSION, FLEX, CASH, JOB = "pension", "flex", "cash_benefit", "job"
# The benefits (and work) an answer depends on, as kept in ``facts["benefit"]``.
BENEFITS = (PENSION, FLEX, CASH, JOB)
_BENEFIT_STEMS: dict[str, tuple[str, ...]] = {
    PENSION: ("fortidspen", "fortids", "pension", "pention", "pesion", "disability"),
    FLEX: ("fleks", "flex", "ledighedsyd", "skanejob"),
    CASH: ("kontant", "cash", "uddannelseshj"),
}
_HOLIDAY_ANSWERS = {
    JOB: "holiday_job",
    FLEX: "holiday_job",
    CASH: "holiday_cash_benefit",
    PENSION: "holiday_pension",
}
_HOLIDAY_OPTIONS = (JOB, CASH, PENSION)
_WAGE_OPTIONS = (PENSION, FLEX, CASH)
_ERA_OPTIONS = ("old", "new", "unknown")
# What ``facts["pension_granted"]`` holds for each answer about when the pension was granted.
PENSION_GRANTED = {"old": "before 2003", "new": "2003 or later", "unknown": "unknown"}
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def register(registry: Registry) -> None:
    registry.intent("feriedage", lambda turn, _: holidays(turn))
    registry.intent("loen_vs_pension", lambda turn, _: wages(turn))
    registry.answer(ChooseBenefit, answer_benefit)
    registry.answer(ChoosePensionEra, answer_era)


def _benefit_in(text: str) -> str | None:
    for benefit, stems in _BENEFIT_STEMS.items():
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


# Holidays ------------------------------------------------------------------------------------


def holidays(turn: Turn) -> None:
    turn.facts["topic"] = Topic.HOLIDAYS
    benefit = turn.facts.get("benefit") if turn.facts.get("benefit") else None
    benefit = _benefit_in(turn.text) or (benefit if isinstance(benefit, str) else None)
    if contains_any(turn.text, ("job", "arbejd", "work", "employ", "lonmodt")) and benefit is None:
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
    turn.say_text(turn.answer(_HOLIDAY_ANSWERS[benefit]))


# Wages and benefits --------------------------------------------------------------------------


def wages(turn: Turn) -> None:
    turn.facts["topic"] = Topic.WAGES
    benefit = _benefit_in(turn.text)
    if benefit is None and turn.facts.get("benefit") in _WAGE_OPTIONS:
        benefit = str(turn.facts["benefit"])
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
    key = "wage_flexjob" if benefit == FLEX else "wage_cash_benefit"
    turn.say_text(turn.answer(key))
    _offer_meeting(turn, Topic.WAGES)


def _answer_pension(turn: Turn, era: str) -> None:
    turn.facts["pension_granted"] = PENSION_GRANTED.get(era, PENSION_GRANTED["unknown"])
    turn.clear_pending()
    turn.say_text(turn.answer(f"wage_pension_{era}"))
    _offer_meeting(turn, Topic.WAGES)


def _offer_meeting(turn: Turn, topic: Topic) -> None:
    turn.ask_yes_no(turn.t("topics.amount_note"), yes=Action(start="book_meeting", topic=topic))


def answer_benefit(turn: Turn, pending: ChooseBenefit) -> bool:
    index = pick_choice(turn.text, pending.choices)
    benefit = pending.options[index] if index is not None else _benefit_in(turn.text)
    holiday = pending.holiday
    if benefit is None and holiday and contains_any(turn.text, ("job", "arbejd", "work")):
        benefit = JOB
    if benefit is None:
        return False
    if holiday:
        _answer_holiday(turn, benefit)
    else:
        _answer_wage(turn, benefit)
    return True


def answer_era(turn: Turn, pending: ChoosePensionEra) -> bool:
    index = pick_choice(turn.text, pending.choices)
    era = _ERA_OPTIONS[index] if index is not None else _era_in(turn.text)
    if era is None:
        return False
    _answer_pension(turn, era)
    return True
