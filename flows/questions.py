"""The open question a flow leaves for the next message: one frozen dataclass per kind.

Each kind holds what reading its answer needs (the slot ids offered, the booking to cancel, the
job wish asked for ...) besides the rendered text and choices, so the question can be asked again
after a topic change. Its stored form is the JSON mapping kept in ``flow_state["pending"]``:
``{"kind": ..., "text": ..., "choices": [...], <the kind's fields>}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Self

from bot.kernel.errors import MalformedFlowState
from flows.job_profile import JOB_PROFILE_FIELDS, JobProfile
from flows.stored import (
    mapping,
    number,
    numbers,
    optional_number,
    optional_text,
    reason_of,
    text,
    texts,
)
from flows.types import HandoffReason, StoredState


class PendingKind(StrEnum):
    """What an open question asks (``pending["kind"]``)."""

    SLOTS = "slots"  # which of the offered times
    CONFIRM_SLOT = "confirm_slot"  # book (or move to) this time?
    CONFIRM_CANCEL = "confirm_cancel"  # call off this meeting?
    BENEFIT = "benefit"  # which benefit an answer depends on
    PENSION_ERA = "pension_era"  # when the pension was granted
    ABSENCE_REASON = "absence_reason"  # why the citizen is absent
    JOB = "job"  # one job wish at a time
    YES_NO = "yesno"
    MENU = "menu"  # a choice of intents to start
    DELETE = "delete"  # delete what the citizen told us?
    CALLBACK_PHONE = "callback_phone"  # which number to call back (flows/callback_phone.py)
    CONSULTANT = "consultant"  # a consultant's question, asked before they closed the chat


class Purpose(StrEnum):
    """What offered times are for."""

    BOOK = "book"
    RESCHEDULE = "reschedule"
    CALLBACK = "callback"


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """The base: the question as the citizen saw it."""

    kind: ClassVar[PendingKind]
    text: str = ""
    choices: tuple[str, ...] = ()

    def to_stored(self) -> StoredState:
        return {"kind": self.kind.value, "text": self.text, "choices": list(self.choices)}

    @classmethod
    def from_stored(cls, data: StoredState) -> Self:
        """A question of text and choices only; a kind with fields of its own overrides this."""
        return cls(text=text(data, "text"), choices=texts(data, "choices"))


@dataclass(frozen=True, slots=True)
class BookingPlan:
    """What the times are offered for: a booking (with its topic) or moving ``booking_id``."""

    purpose: Purpose = Purpose.BOOK
    topic: str | None = None
    booking_id: int | None = None

    def to_stored(self) -> StoredState:
        return {"purpose": self.purpose.value, "topic": self.topic, "booking_id": self.booking_id}

    @classmethod
    def from_stored(cls, data: StoredState) -> BookingPlan:
        try:
            purpose = Purpose(data.get("purpose") or Purpose.BOOK)
        except ValueError as error:
            raise MalformedFlowState("purpose") from error
        return cls(purpose, optional_text(data, "topic"), optional_number(data, "booking_id"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ChooseSlot(Question):
    kind = PendingKind.SLOTS
    plan: BookingPlan = field(default_factory=BookingPlan)
    slot_ids: tuple[int, ...] = ()  # the times on this page, in the order of the choices
    all_ids: tuple[int, ...] = ()  # every time that matched, for "other times"
    offset: int = 0

    def to_stored(self) -> StoredState:
        ids = {"slot_ids": list(self.slot_ids), "all_ids": list(self.all_ids)}
        return {**Question.to_stored(self), **ids, "offset": self.offset, **self.plan.to_stored()}

    @classmethod
    def from_stored(cls, data: StoredState) -> ChooseSlot:
        slot_ids = numbers(data, "slot_ids")
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            plan=BookingPlan.from_stored(data),
            slot_ids=slot_ids,
            all_ids=numbers(data, "all_ids") if "all_ids" in data else slot_ids,
            offset=number(data, "offset", 0),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmSlot(Question):
    kind = PendingKind.CONFIRM_SLOT
    slot_id: int
    plan: BookingPlan = field(default_factory=BookingPlan)

    def to_stored(self) -> StoredState:
        return {**Question.to_stored(self), "slot_id": self.slot_id, **self.plan.to_stored()}

    @classmethod
    def from_stored(cls, data: StoredState) -> ConfirmSlot:
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            slot_id=number(data, "slot_id"),
            plan=BookingPlan.from_stored(data),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmCancel(Question):
    kind = PendingKind.CONFIRM_CANCEL
    booking_id: int
    when: str = ""  # the meeting's time as the citizen reads it

    def to_stored(self) -> StoredState:
        return {**Question.to_stored(self), "booking_id": self.booking_id, "when": self.when}

    @classmethod
    def from_stored(cls, data: StoredState) -> ConfirmCancel:
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            booking_id=number(data, "booking_id"),
            when=text(data, "when"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChooseBenefit(Question):
    """The benefit a holiday answer (``holiday``) or a wage answer depends on."""

    kind = PendingKind.BENEFIT
    holiday: bool = False
    options: tuple[str, ...] = ()  # the benefit of each choice

    def to_stored(self) -> StoredState:
        topic = "holiday" if self.holiday else "wage"
        return {**Question.to_stored(self), "topic": topic, "options": list(self.options)}

    @classmethod
    def from_stored(cls, data: StoredState) -> ChooseBenefit:
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            holiday=data.get("topic") == "holiday",
            options=texts(data, "options"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoosePensionEra(Question):
    """Whether the pension was granted before 2003: the rules differ."""

    kind = PendingKind.PENSION_ERA
    options: tuple[str, ...] = ()

    def to_stored(self) -> StoredState:
        return {**Question.to_stored(self), "options": list(self.options)}

    @classmethod
    def from_stored(cls, data: StoredState) -> ChoosePensionEra:
        return cls(
            text=text(data, "text"), choices=texts(data, "choices"), options=texts(data, "options")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChooseAbsenceReason(Question):
    kind = PendingKind.ABSENCE_REASON
    options: tuple[str, ...] = ()  # the AbsenceReason of each choice
    first_text: str = ""  # the message that reported the absence, read with the answer

    def to_stored(self) -> StoredState:
        stored = {"options": list(self.options), "first_text": self.first_text}
        return {**Question.to_stored(self), **stored}

    @classmethod
    def from_stored(cls, data: StoredState) -> ChooseAbsenceReason:
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            options=texts(data, "options"),
            first_text=text(data, "first_text"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AskJobWish(Question):
    """One job wish (``field``), with those told before it."""

    kind = PendingKind.JOB
    field: str
    profile: JobProfile = JobProfile()  # noqa: RUF009 (frozen, so one shared default is safe)
    asked_again: bool = False  # the hours, asked a second time

    def to_stored(self) -> StoredState:
        stored = {**Question.to_stored(self), "field": self.field}
        stored["profile"] = self.profile.to_stored()
        if self.asked_again:
            stored["asked_again"] = True
        return stored

    @classmethod
    def from_stored(cls, data: StoredState) -> AskJobWish:
        wish = text(data, "field")
        if wish not in JOB_PROFILE_FIELDS:
            raise MalformedFlowState("field")
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            field=wish,
            profile=JobProfile.from_stored(mapping(data, "profile")),
            asked_again=bool(data.get("asked_again")),
        )


@dataclass(frozen=True, slots=True)
class Action:
    """What a yes (or a no) does: start an intent (with a topic), resume or drop a suspended
    question; nothing set says "ok"."""

    start: str | None = None
    topic: str | None = None
    resume: bool = False
    drop: bool = False

    def to_stored(self) -> StoredState:
        stored: StoredState = {}
        if self.start:
            stored["start"] = self.start
        if self.topic:
            stored["topic"] = self.topic
        if self.resume:
            stored["resume"] = True
        if self.drop:
            stored["drop"] = True
        return stored

    @classmethod
    def from_stored(cls, data: StoredState) -> Action:
        return cls(
            optional_text(data, "start"),
            optional_text(data, "topic"),
            bool(data.get("resume")),
            bool(data.get("drop")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class YesNo(Question):
    kind = PendingKind.YES_NO
    yes: Action = Action()
    no: Action = Action()

    def to_stored(self) -> StoredState:
        stored = {"yes": self.yes.to_stored(), "no": self.no.to_stored()}
        return {**Question.to_stored(self), **stored}

    @classmethod
    def from_stored(cls, data: StoredState) -> YesNo:
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            yes=Action.from_stored(mapping(data, "yes")),
            no=Action.from_stored(mapping(data, "no")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Menu(Question):
    """A choice of intents to start; ``reason`` is the handoff reason kept while choosing."""

    kind = PendingKind.MENU
    options: tuple[str, ...] = ()  # the intent of each choice
    reason: HandoffReason | None = None

    def to_stored(self) -> StoredState:
        stored = {**Question.to_stored(self), "options": list(self.options)}
        if self.reason is not None:
            stored["reason"] = self.reason.value
        return stored

    @classmethod
    def from_stored(cls, data: StoredState) -> Menu:
        return cls(
            text=text(data, "text"),
            choices=texts(data, "choices"),
            options=texts(data, "options"),
            reason=reason_of(data.get("reason")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmDelete(Question):
    kind = PendingKind.DELETE


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsultantQuestion(Question):
    """A consultant's question left open at closing: the answer goes to a person (after_close)."""

    kind = PendingKind.CONSULTANT


@dataclass(frozen=True, slots=True, kw_only=True)
class AskCallbackPhone(Question):
    kind = PendingKind.CALLBACK_PHONE


_READERS: dict[PendingKind, Callable[[StoredState], Question]] = {
    PendingKind.SLOTS: ChooseSlot.from_stored,
    PendingKind.CONFIRM_SLOT: ConfirmSlot.from_stored,
    PendingKind.CONFIRM_CANCEL: ConfirmCancel.from_stored,
    PendingKind.BENEFIT: ChooseBenefit.from_stored,
    PendingKind.PENSION_ERA: ChoosePensionEra.from_stored,
    PendingKind.ABSENCE_REASON: ChooseAbsenceReason.from_stored,
    PendingKind.JOB: AskJobWish.from_stored,
    PendingKind.YES_NO: YesNo.from_stored,
    PendingKind.MENU: Menu.from_stored,
    PendingKind.DELETE: ConfirmDelete.from_stored,
    PendingKind.CALLBACK_PHONE: lambda data: AskCallbackPhone(text=text(data, "text")),
    PendingKind.CONSULTANT: ConsultantQuestion.from_stored,
}


def question_from_stored(data: object) -> Question:
    """The question of a stored ``pending`` mapping; else :class:`MalformedFlowState`."""
    if not isinstance(data, dict):
        raise MalformedFlowState("pending")
    try:
        kind = PendingKind(str(data.get("kind")))
    except ValueError as error:
        raise MalformedFlowState("kind") from error
    return _READERS[kind](data)
