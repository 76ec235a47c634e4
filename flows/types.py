"""The data flows take and return. Effects are plain data the core carries out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol

from bot.kernel.messages import Reply

# A flow state as the store keeps it (``Conversation.flow_state``), read as flows.state.FlowState.
StoredState = dict[str, Any]


class HandoffReason(StrEnum):
    """Why a conversation waits for a person (``Conversation.handoff_reason``)."""

    REQUESTED = "requested"  # the citizen asked for a person
    MISUNDERSTOOD = "misunderstood"  # two misunderstandings in a row
    UNANSWERABLE = "unanswerable"  # a question the bot cannot answer
    CRISIS = "crisis"
    ABSENCE_DISPUTE = "absence_dispute"  # an absence the citizen says was registered wrongly
    CALLBACK = "callback"  # a callback wanted, no callback time free
    CHECK_IN = "check_in"  # an answer to "Hvordan går det?"
    CONTENT_EXPIRED = "content_expired"  # the answer asked for is past its review-by date
    ON_BEHALF = "on_behalf"  # an errand for someone the writer writes for
    SEVERAL_CONCERNS = "several_concerns"  # one message with several concerns
    LETTER_NOT_UNDERSTOOD = "letter_not_understood"  # a long letter the bot could not read
    ANSWER_AFTER_CLOSE = "answer_after_close"  # answers a consultant's question after closing


class SummaryKey(StrEnum):
    """The keys of a handoff's summary for the consultant (``Conversation.handoff_summary``)."""

    REASON = "reason"
    INTENT = "intent"
    DETAILS = "details"
    LAST_MESSAGES = "last_messages"
    LANGUAGE = "language"
    CHECK_IN_ANSWER = "check_in_answer"


class Topic(StrEnum):
    """What a conversation is about (``facts["topic"]``), kept as a booking's topic."""

    ABSENCE = "fravaer"
    HOLIDAYS = "feriedage"
    WAGES = "loen_vs_pension"
    JOB_WISHES = "jobonsker"
    OPENING_HOURS = "opening_hours"
    CALLBACK = "callback"
    # The topics of issue 16 (flows/letters.py, flows/support.py, flows/money.py).
    LETTER = "letter_help"
    COMPLAINT = "complaint"
    COMPANION = "companion"
    BENEFIT_AMOUNT = "benefit_amount"
    CASE_STATUS = "case_status"
    MEETING_PREP = "meeting_prep"


@dataclass(frozen=True, slots=True)
class SlotOffer:
    """A free time a flow may offer, as the core loaded it (times are UTC)."""

    slot_id: int
    starts_at: datetime
    ends_at: datetime
    consultant: str
    location: str
    address: str | None = None
    kind: str = "office"  # a LocationKind value


@dataclass(frozen=True, slots=True)
class MeetingInfo:
    """The citizen's next active booking."""

    booking_id: int
    starts_at: datetime
    ends_at: datetime
    consultant: str
    location: str
    address: str | None = None
    directions: str | None = None
    kind: str = "office"


@dataclass(frozen=True, slots=True)
class Staffing:
    """Whether a person can answer now, and if not, when."""

    open_now: bool
    waiting_ahead: int = 0
    expected_wait_minutes: int = 0
    next_opening: datetime | None = None


@dataclass(frozen=True, slots=True)
class WeeklyOpening:
    """One weekly opening of a place, in local time (``weekday`` 0 is Monday)."""

    weekday: int
    opens: time
    closes: time
    location: str
    address: str | None = None
    kind: str = "office"  # a LocationKind value


@dataclass(frozen=True, slots=True)
class HelpLine:
    """A phone line a citizen in crisis can call, and when it answers (local time).

    Without ``opens`` and ``closes`` it is always open; a ``closes`` before ``opens`` means past
    midnight (11:00-05:00 answers until five the next morning).
    """

    name: str
    phone: str
    opens: time | None = None
    closes: time | None = None
    source: str = ""

    @property
    def always_open(self) -> bool:
        return self.opens is None or self.closes is None

    def open_at(self, local: time) -> bool:
        if self.opens is None or self.closes is None:
            return True
        if self.opens < self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes


@dataclass(frozen=True, slots=True)
class Waiting:
    """The conversation waits for a person: since when, how urgently and why."""

    since: datetime | None = None
    priority: int = 0
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PendingReminder:
    """The last reminder sent to the citizen that still awaits an answer (JA / NEJ / FLYT).

    ``kind`` is "confirmation", "before" or "check_in"; ``when`` is the meeting time as the
    citizen reads it ("i morgen kl. 9.00"), already in their language and local time.
    ``latest`` says nothing was sent to the citizen after it: a "ja" then answers the reminder,
    not an older open question.
    """

    reminder_id: int
    kind: str
    booking_id: int | None = None
    when: str = ""
    consultant_name: str | None = None
    latest: bool = True


class ContextFacts(Protocol):
    """What a flow may know that costs a database query to find out.

    The core hands flows an object that reads each fact on first use (bot/pipeline/context.py), so
    a message that needs none of them costs no queries; tests hand in :class:`KnownFacts`.
    """

    @property
    def next_meeting(self) -> MeetingInfo | None: ...

    @property
    def free_slots(self) -> tuple[SlotOffer, ...]: ...

    @property
    def callback_slots(self) -> tuple[SlotOffer, ...]: ...

    @property
    def staffing(self) -> Staffing: ...

    @property
    def opening_hours(self) -> tuple[WeeklyOpening, ...]: ...

    @property
    def recent_messages(self) -> tuple[str, ...]: ...

    # Has the citizen a number a consultant can call (shared, or typed for a callback)?
    @property
    def phone_known(self) -> bool: ...

    @property
    def pending_reminder(self) -> PendingReminder | None: ...


@dataclass(frozen=True, slots=True)
class KnownFacts:
    """Facts given up front."""

    next_meeting: MeetingInfo | None = None
    free_slots: tuple[SlotOffer, ...] = ()
    # Callback slots (location kind "phone"), offered when nobody can answer now.
    callback_slots: tuple[SlotOffer, ...] = ()
    staffing: Staffing = field(default_factory=lambda: Staffing(open_now=True))
    # The weekly opening hours of every place (also phone), by place, weekday and time.
    opening_hours: tuple[WeeklyOpening, ...] = ()
    # The citizen's last messages (oldest first), for handoff summaries.
    recent_messages: tuple[str, ...] = ()
    # Set when the citizen's message may answer a reminder (flows/reminder_reply.py).
    pending_reminder: PendingReminder | None = None
    phone_known: bool = True


@dataclass(frozen=True, slots=True)
class PrivacyFacts:
    """What the privacy reply states, from config ``privacy``: the data controller, where the
    full notice is, and how many days each kind of data is kept (the purge job's figures)."""

    controller: str = "Demo Kommune"
    dpo_email: str = "dpo@demo-kommune.example"
    notice_url: str = "http://127.0.0.1:8000/privacy"
    messages_days: int = 180
    absence_notices_days: int = 365
    job_profiles_days: int = 365
    bookings_days: int = 180
    inactive_citizens_days: int = 730


@dataclass(frozen=True, slots=True)
class SickNoticeRule:
    """How the jobcenter wants sick notices (config ``jobcenter.sick_notice``): a notice in the
    chat is enough, or the citizen must also phone ``phone`` before ``phone_before`` (local)."""

    phone: str | None = None
    phone_before: time | None = None


@dataclass(frozen=True, slots=True)
class OpenAbsence:
    """The citizen's latest absence notice still open (or just ended): a sick note sent now
    most likely belongs to it."""

    notice_id: int
    starts_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class FlowContext:
    """What a flow may know beyond the message: given by the core before each step."""

    now: datetime
    language: str
    channel: str
    citizen_id: int
    timezone: str = "Europe/Copenhagen"
    reminders_opted_out: bool = False
    facts: ContextFacts = field(default_factory=KnownFacts)
    # Set while the conversation is in the consultant queue (status waiting).
    waiting: Waiting | None = None
    # The citizen's first message on this channel: the reply says they write with a chatbot.
    first_contact: bool = False
    # Said with 112 in a crisis reply (config ``crisis.help_lines``).
    help_lines: tuple[HelpLine, ...] = ()
    # A waiting citizen gets at most one acknowledgement per this long (config ``waiting``).
    acknowledge_every: timedelta = timedelta(minutes=10)
    privacy: PrivacyFacts = field(default_factory=lambda: PrivacyFacts())
    sick_notice: SickNoticeRule = field(default_factory=lambda: SickNoticeRule())
    # The kinds of the files kept from this message (photo, document, voice, ...); its text is
    # their caption. ``attachment_refused``: a file came that was not kept (the core says why).
    attachments: tuple[str, ...] = ()
    attachment_refused: bool = False
    # Set when the message carries a file and the citizen has an open absence notice.
    open_absence: OpenAbsence | None = None

    @property
    def next_meeting(self) -> MeetingInfo | None:
        return self.facts.next_meeting

    @property
    def free_slots(self) -> tuple[SlotOffer, ...]:
        return self.facts.free_slots

    @property
    def callback_slots(self) -> tuple[SlotOffer, ...]:
        return self.facts.callback_slots

    @property
    def staffing(self) -> Staffing:
        return self.facts.staffing

    @property
    def opening_hours(self) -> tuple[WeeklyOpening, ...]:
        return self.facts.opening_hours

    @property
    def phone_known(self) -> bool:
        return self.facts.phone_known

    @property
    def recent_messages(self) -> tuple[str, ...]:
        return self.facts.recent_messages

    @property
    def pending_reminder(self) -> PendingReminder | None:
        return self.facts.pending_reminder


@dataclass(frozen=True, slots=True)
class Effect:
    """Base of every effect; subclasses are plain data."""


@dataclass(frozen=True, slots=True)
class HandOff(Effect):
    """Put the conversation in the consultant queue with a summary for the consultant."""

    reason: HandoffReason
    priority: int = 0
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetLanguage(Effect):
    language: str


@dataclass(frozen=True, slots=True)
class BookMeeting(Effect):
    slot_id: int
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class SetCallbackPhone(Effect):
    phone: str  # the number typed for a phone callback: "+45" and 8 digits


@dataclass(frozen=True, slots=True)
class RescheduleMeeting(Effect):
    booking_id: int
    slot_id: int


@dataclass(frozen=True, slots=True)
class CancelMeeting(Effect):
    booking_id: int
    reason: str = "citizen"


@dataclass(frozen=True, slots=True)
class RecordAbsence(Effect):
    reason: str  # an AbsenceReason value
    starts_on: date
    ends_on: date | None = None
    activity: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RecordRecovery(Effect):
    """The citizen is well again: open absence notices end on ``ends_on``."""

    ends_on: date


@dataclass(frozen=True, slots=True)
class AttachToAbsence(Effect):
    """The files the citizen just sent belong to this absence notice (they said yes)."""

    notice_id: int


@dataclass(frozen=True, slots=True)
class SaveJobProfile(Effect):
    kinds_of_work: tuple[str, ...] = ()
    hours_per_week: float | None = None
    days: tuple[str, ...] = ()
    cannot_do: str | None = None
    hours_per_week_to: float | None = None  # the top of a range of hours ("8-10 timer")


@dataclass(frozen=True, slots=True)
class OptOutOfReminders(Effect):
    pass


@dataclass(frozen=True, slots=True)
class DeleteCitizenData(Effect):
    """Delete what the citizen told us; bookings are kept, detached, for statistics."""


@dataclass(frozen=True, slots=True)
class Step:
    """What one message does: the replies, the effects, and the state to store."""

    replies: list[Reply]
    effects: list[Effect]
    next_state: StoredState
