"""The topics: sourced answers (fravær, ferie, løn og pension) and absence notices; the holiday
and wage answers per benefit are in :mod:`flows.benefits`, job wishes in :mod:`flows.job_wishes`.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flows import meetings
from flows.benefits import BENEFITS as BENEFITS
from flows.benefits import PENSION_GRANTED as PENSION_GRANTED
from flows.benefits import answer_benefit, answer_era, holidays, wages
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


def register(registry: Registry) -> None:
    registry.intent("fravaer", lambda turn, _: absence(turn))
    registry.intent("absence_report", lambda turn, _: report_absence(turn, text=""))
    registry.intent("feriedage", lambda turn, _: holidays(turn))
    registry.intent("loen_vs_pension", lambda turn, _: wages(turn))
    registry.answer(ChooseBenefit, answer_benefit)
    registry.answer(ChoosePensionEra, answer_era)
    registry.answer(ChooseAbsenceReason, answer_absence_reason)


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
