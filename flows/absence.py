"""Absence notices: sickness, a sick child or other absence, reported in the chat or as the answer
to a meeting reminder ("syg").

Nothing is recorded on a guess. When the bot has read an absence (reason, days, what from, and a
meeting it would call off), it says what it will record and asks yes or no; only a yes records
it (:class:`RecordAbsence`) and calls the meeting off. A no records nothing and asks once for the
right reason and days. The receipt says the kommune assesses the absence and how this jobcenter
wants sick notices (``FlowContext.sick_notice``, from config).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flows import meetings
from flows.handoff import queue
from flows.questions import Action, ChooseAbsenceReason, YesNo
from flows.reading import contains_any, fold, is_question, pick_choice, wanted_day, yes_or_no
from flows.registry import Registry
from flows.turn import Turn
from flows.types import CancelMeeting, HandoffReason, RecordAbsence, RecordRecovery, Topic

# Internal intents: what a yes and a no to "shall I record this?" start.
CONFIRMED = "absence_confirmed"
NOT_RIGHT = "absence_not_right"
# The booking's cancel reason when a sick notice calls a meeting off.
SICK_CANCEL_REASON = "absence notice"

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
# Words that say sickness for sure, as an answer to a reminder ("dårlig" may be a bad time).
_CLEARLY_SICK = ("syg", "syk", "sick", "ill", "feber", "fever", "influenza", "covid", "corona")
# "Jeg er ikke syg", "glem det": the citizen takes the absence back while correcting it.
_TAKEN_BACK = ("ikke syg", "not sick", "glem det", "fortryd", "forget it", "never mind")


def register(registry: Registry) -> None:
    registry.intent("fravaer", lambda turn, _: absence(turn))
    registry.intent("absence_report", lambda turn, _: report_absence(turn, text=""))
    registry.intent(CONFIRMED, lambda turn, _: _confirmed(turn))
    registry.intent(NOT_RIGHT, lambda turn, _: _not_right(turn))
    registry.answer(ChooseAbsenceReason, answer_absence_reason)


def absence(turn: Turn) -> None:
    """Report (confirm, then record) or question (a sourced answer)."""
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


def sick_reason(text: str) -> str | None:
    """ "syg", "jeg er syg", "sick": own_sickness; "mit barn er sygt": child_sick; else None."""
    if not contains_any(text, _CLEARLY_SICK) or _taken_back(text):
        return None
    return "child_sick" if reason_in(text) == "child_sick" else "own_sickness"


def _says_absent_now(text: str) -> bool:
    folded = fold(text)
    return folded.startswith(("jeg er syg", "i am sick", "i m sick", "im sick"))


def _taken_back(text: str) -> bool:
    folded = fold(text)
    return any(phrase in folded for phrase in _TAKEN_BACK)


def reason_in(text: str) -> str | None:
    if contains_any(text, _CHILD) or set(fold(text).split()) & _CHILD_WORDS:
        return "child_sick"
    if contains_any(text, _SICK):
        return "own_sickness"
    return None


def report_absence(turn: Turn, text: str | None = None) -> None:
    text = turn.text if text is None else text
    reason = reason_in(text)
    if reason is None:
        _ask_reason(turn, "absence.ask_reason", text)
        return
    propose(turn, reason, text)


def _ask_reason(turn: Turn, key: str, first_text: str) -> None:
    turn.ask(
        ChooseAbsenceReason(
            text=turn.t(key),
            choices=turn.labels("absence.reason_choices"),
            options=("own_sickness", "child_sick", "other"),
            first_text=first_text,
        )
    )


def answer_absence_reason(turn: Turn, pending: ChooseAbsenceReason) -> bool:
    if _taken_back(turn.text) or (yes_or_no(turn.parse) is False and not pending.first_text):
        turn.state.absence_to_confirm = None
        turn.say("absence.not_recorded")
        return True
    index = pick_choice(turn.text, pending.choices)
    options = pending.options
    reason = options[index] if index is not None else reason_in(turn.text)
    if reason is None:
        if yes_or_no(turn.parse) is not None or len(fold(turn.text)) < 3:
            return False
        reason = "other"
    propose(turn, reason, f"{pending.first_text} {turn.text}".strip())
    return True


def _period(text: str, today: date) -> tuple[date, date | None]:
    """The first and last day an absence message names; no last day: until further notice."""
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
    return starts_on, ends_on


def propose(
    turn: Turn, reason: str, text: str, *, booking_id: int | None = None, when: str = ""
) -> None:
    """Say what would be recorded (and which meeting called off) and ask yes or no.

    ``booking_id`` and ``when``: the meeting a reminder asked about; else the citizen's next
    meeting when it falls in the absence.
    """
    turn.clear_pending()
    starts_on, ends_on = _period(text, turn.today)
    meeting = turn.context.next_meeting
    if booking_id is None and meetings.meeting_during(
        meeting, starts_on, ends_on or starts_on, turn
    ):
        assert meeting is not None
        booking_id, when = meeting.booking_id, turn.moment(meeting.starts_at)
    activity = next((name for name, stems in _ACTIVITIES if contains_any(text, stems)), None)
    turn.state.absence_to_confirm = {
        "reason": reason,
        "from": starts_on.isoformat(),
        "to": ends_on.isoformat() if ends_on else None,
        "activity": activity,
        "note": text[:500],
        "booking_id": booking_id,
        "when": when,
    }
    what = turn.t(f"absence.propose_{reason}", period=_period_text(turn, starts_on, ends_on))
    if booking_id is not None:
        what = f"{what} {turn.t('absence.propose_cancel', when=when)}"
    question = f"{what} {turn.t('absence.propose_question')}"
    choices = turn.labels("absence.confirm_choices")
    turn.ask(
        YesNo(text=question, choices=choices, yes=Action(start=CONFIRMED), no=Action(NOT_RIGHT))
    )


def _period_text(turn: Turn, starts_on: date, ends_on: date | None) -> str:
    if ends_on is not None and ends_on != starts_on:
        return turn.t("absence.period_until", start=turn.day(starts_on), end=turn.day(ends_on))
    if ends_on is not None:
        return turn.t("absence.period_day", start=turn.day(starts_on))
    return turn.t("absence.period_from", start=turn.day(starts_on))


def _confirmed(turn: Turn) -> None:
    """The citizen said yes: record the notice, call the meeting off, give the receipt."""
    proposal = turn.state.absence_to_confirm
    turn.state.absence_to_confirm = None
    if not proposal:
        turn.say("core.ok")
        return
    reason = str(proposal["reason"])
    starts_on = date.fromisoformat(str(proposal["from"]))
    ends_on = date.fromisoformat(str(proposal["to"])) if proposal.get("to") else None
    turn.effects.append(
        RecordAbsence(
            reason=reason,
            starts_on=starts_on,
            ends_on=ends_on,
            activity=_optional(proposal, "activity"),
            note=_optional(proposal, "note"),
        )
    )
    turn.facts["absence"] = {
        "reason": reason,
        "from": starts_on.isoformat(),
        "to": ends_on.isoformat() if ends_on else None,
    }
    receipt = [turn.t(f"absence.receipt_{reason}", received=turn.clock(turn.context.now))]
    booking_id = proposal.get("booking_id")
    if isinstance(booking_id, int):
        turn.effects.append(CancelMeeting(booking_id, reason=SICK_CANCEL_REASON))
        receipt.append(turn.t("absence.meeting_cancelled", when=str(proposal.get("when") or "")))
    if reason != "other":
        receipt.append(_sick_notice_rule(turn))
    turn.say_text(" ".join(receipt))
    # Who assesses the absence, with its sources; past its review date a person answers instead.
    if not turn.answer("absence.assessed"):
        return
    if isinstance(booking_id, int):
        turn.ask_yes_no(turn.t("absence.offer_new_time"), yes=Action(start="book_meeting"))
    else:
        turn.say("absence.back_well")


def _not_right(turn: Turn) -> None:
    """The citizen said no: nothing is recorded; one question for the right reason and days."""
    turn.state.absence_to_confirm = None
    _ask_reason(turn, "absence.correct", "")


def _sick_notice_rule(turn: Turn) -> str:
    rule = turn.context.sick_notice
    if rule.phone is None or rule.phone_before is None:
        return turn.t("absence.notice_rule_chat")
    before = f"{rule.phone_before.hour:02d}.{rule.phone_before.minute:02d}"
    return turn.t("absence.notice_rule_phone", phone=rule.phone, before=before)


def _optional(proposal: dict[str, Any], key: str) -> str | None:
    value = proposal.get(key)
    return str(value) if value else None
