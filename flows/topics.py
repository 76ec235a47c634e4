"""The topics: sourced answers (fravær, ferie, løn og pension) and absence notices; job wishes
are in :mod:`flows.job_wishes`.

An answer depends on the citizen's benefit, so the flow asks that first unless the message says
it already ("min førtidspension fra 1998"). Amounts are never calculated or promised: the answer
says who calculates them and offers a meeting.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flows import meetings
from flows.handoff import queue
from flows.questions import Action, ChooseAbsenceReason, ChooseBenefit, ChoosePensionEra
from flows.reading import (
    contains_any,
    fold,
    is_question,
    pick_choice,
    wanted_day,
    yes_or_no,
)
from flows.registry import Registry
from flows.turn import Turn
from flows.types import HandoffReason, RecordAbsence, RecordRecovery, Topic

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
    registry.intent("fravaer", lambda turn, _: absence(turn))
    registry.intent("absence_report", lambda turn, _: report_absence(turn, text=""))
    registry.intent("feriedage", lambda turn, _: holidays(turn))
    registry.intent("loen_vs_pension", lambda turn, _: wages(turn))
    registry.answer(ChooseBenefit, answer_benefit)
    registry.answer(ChoosePensionEra, answer_era)
    registry.answer(ChooseAbsenceReason, answer_absence_reason)


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
    turn.answer(_HOLIDAY_ANSWERS[benefit])


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
    if turn.answer(key):
        _offer_meeting(turn, Topic.WAGES)


def _answer_pension(turn: Turn, era: str) -> None:
    turn.facts["pension_granted"] = PENSION_GRANTED.get(era, PENSION_GRANTED["unknown"])
    turn.clear_pending()
    if turn.answer(f"wage_pension_{era}"):
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


# Absence -------------------------------------------------------------------------------------

_CHILD = ("barn", "born", "sonnen", "datter", "child", "kid", "daughter", "baby", "dreng", "pige")
_CHILD_WORDS = frozenset({"son", "sons"})  # "søn" exactly: "søndag" is a day
_SICK = (
    "syg",
    "syk",
    "sick",
    "ill",
    "feber",
    "fever",
    "influenza",
    "flu",
    "forkol",
    "ondt",
    "kaster",
    "migr",
    "covid",
    "corona",
    "darlig",
    "skidt",
    "hospital",
    "laege",
    "doctor",
    "unwell",
)
_ACTIVITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("praktik", ("praktik", "internship", "placement")),
    ("course", ("kursus", "course", "skole", "school")),
    ("activation", ("aktiver", "tilbud", "forlob", "activation")),
    ("meeting", ("mode", "samtale", "meeting", "appointment")),
    ("work", ("arbejde", "job", "work", "fleksjob")),
)
# What an absence was from (``AbsenceNotice.activity``), by the names stored.
ABSENCE_ACTIVITIES = tuple(name for name, _ in _ACTIVITIES)
_DISPUTE = ("forkert", "fejl", "wrong", "mistake", "uretfaer", "registreret")
_WELL_AGAIN = ("rask", "raskmeld", "well again", "better now", "back at work", "klar igen")


def absence(turn: Turn) -> None:
    """Report (record and give a receipt) or question (a sourced answer)."""
    turn.facts["topic"] = Topic.ABSENCE
    if contains_any(turn.text, _DISPUTE):
        turn.facts["absence_dispute"] = turn.text
        queue(turn, HandoffReason.ABSENCE_DISPUTE)
        return
    if contains_any(turn.text, ("rask",)) or any(
        phrase in fold(turn.text) for phrase in _WELL_AGAIN
    ):
        turn.effects.append(RecordRecovery(ends_on=turn.today))
        turn.facts["well_again"] = turn.today.isoformat()
        turn.say("absence.receipt_well", received=turn.clock(turn.context.now))
        return
    if is_question(turn.text) and not _says_absent_now(turn.text):
        if turn.answer("fravaer"):
            turn.ask_yes_no(
                turn.t("topics.offer_absence_report"), yes=Action(start="absence_report")
            )
        return
    report_absence(turn)


def _says_absent_now(text: str) -> bool:
    folded = fold(text)
    return folded.startswith(("jeg er syg", "i am sick", "i m sick", "im sick"))


def _reason_in(text: str) -> str | None:
    if contains_any(text, _CHILD) or set(fold(text).split()) & _CHILD_WORDS:
        return "child_sick"
    if contains_any(text, _SICK):
        return "own_sickness"
    return None


def report_absence(turn: Turn, text: str | None = None) -> None:
    text = turn.text if text is None else text
    reason = _reason_in(text)
    if reason is None:
        turn.ask(
            ChooseAbsenceReason(
                text=turn.t("absence.ask_reason"),
                choices=turn.labels("absence.reason_choices"),
                options=("own_sickness", "child_sick", "other"),
                first_text=text,
            )
        )
        return
    _record(turn, reason, text)


def answer_absence_reason(turn: Turn, pending: ChooseAbsenceReason) -> bool:
    index = pick_choice(turn.text, pending.choices)
    options = pending.options
    reason = options[index] if index is not None else _reason_in(turn.text)
    if reason is None:
        if yes_or_no(turn.parse) is not None or len(fold(turn.text)) < 3:
            return False
        reason = "other"
    _record(turn, reason, f"{pending.first_text} {turn.text}".strip())
    return True


def _record(turn: Turn, reason: str, text: str) -> None:
    turn.clear_pending()
    today = turn.today
    folded = fold(text)
    until = re.search(r"\b(?:til og med|til|until|to)\s+(\w+)", folded)
    # "syg til fredag" starts today; only a day named outside the "til ..." part starts later.
    start_text = folded[: until.start()] + folded[until.end() :] if until else folded
    starts_on = wanted_day(start_text, today) or today
    ends_on = None
    if until:
        end = wanted_day(until.group(1), starts_on)
        ends_on = end if end is not None and end >= starts_on else None
    if ends_on is None and any(w in folded for w in ("hele ugen", "resten af ugen", "this week")):
        ends_on = starts_on + timedelta(days=max(0, 4 - starts_on.weekday()))
    if ends_on is None and wanted_day(start_text, today) is not None and not until:
        ends_on = starts_on  # "syg i dag", "kan ikke komme i morgen": that one day
    activity = next((name for name, stems in _ACTIVITIES if contains_any(text, stems)), None)
    turn.effects.append(
        RecordAbsence(
            reason=reason, starts_on=starts_on, ends_on=ends_on, activity=activity, note=text[:500]
        )
    )
    turn.facts["absence"] = {
        "reason": reason,
        "from": starts_on.isoformat(),
        "to": ends_on.isoformat() if ends_on else None,
    }
    receipt = turn.t(f"absence.receipt_{reason}", received=turn.clock(turn.context.now))
    if ends_on is not None and ends_on != starts_on:
        period = turn.t("absence.period_until", start=turn.day(starts_on), end=turn.day(ends_on))
    elif ends_on is not None:
        period = turn.t("absence.period_day", start=turn.day(starts_on))
    else:
        period = turn.t("absence.period_from", start=turn.day(starts_on))
    turn.say_text(f"{receipt} {period.strip()}")
    meeting = turn.context.next_meeting
    if meetings.meeting_during(meeting, starts_on, ends_on or starts_on, turn):
        assert meeting is not None
        turn.ask_yes_no(
            turn.t("absence.meeting_during", when=turn.moment(meeting.starts_at)),
            yes=Action(start="reschedule_meeting"),
        )
    else:
        turn.say("absence.back_well")
