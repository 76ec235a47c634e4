"""Booking, moving, cancelling and showing meetings.

Free slots come from the context, never from a database: the flow offers a few as numbered
choices, understands "2", "den første", the label itself or "torsdag kl 10", always confirms,
and returns a :class:`BookMeeting` / :class:`RescheduleMeeting` / :class:`CancelMeeting` effect.
If another citizen takes the slot in between, the core raises :class:`SlotTaken` and
:func:`recover` offers fresh choices.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flows import callback_phone
from flows.handoff import queue
from flows.questions import (
    Action,
    BookingPlan,
    ChooseSlot,
    ConfirmCancel,
    ConfirmSlot,
    Menu,
    Purpose,
)
from flows.reading import asks_for_more, contains_any, pick_choice, wanted_time, yes_or_no
from flows.registry import Registry
from flows.turn import Turn
from flows.types import (
    BookMeeting,
    CancelMeeting,
    HandoffReason,
    MeetingInfo,
    RescheduleMeeting,
    SlotOffer,
    Topic,
)

PAGE_SIZE = 4


def register(registry: Registry) -> None:
    registry.intent(
        "book_meeting", lambda turn, topic: start_booking(turn, topic or turn.state.topic)
    )
    registry.intent("reschedule_meeting", lambda turn, _: start_reschedule(turn))
    registry.intent("cancel_meeting", lambda turn, _: start_cancel(turn))
    registry.intent("meeting_info", lambda turn, _: show_meeting(turn))
    registry.intent(
        "callback",
        lambda turn, _: offer_slots(turn, Purpose.CALLBACK, topic=Topic.CALLBACK, use_wanted=False),
    )
    registry.answer(ChooseSlot, answer_slots)
    registry.answer(ConfirmSlot, answer_confirm)
    registry.answer(ConfirmCancel, answer_cancel)


def _pool(turn: Turn, purpose: Purpose) -> list[SlotOffer]:
    meeting = turn.context.next_meeting
    moving_a_call = (
        purpose == Purpose.RESCHEDULE and meeting is not None and meeting.kind == "phone"
    )
    if purpose == Purpose.CALLBACK or moving_a_call:
        return list(turn.context.callback_slots)
    return list(turn.context.free_slots)


def _find(turn: Turn, slot_id: int) -> SlotOffer | None:
    for slot in (*turn.context.free_slots, *turn.context.callback_slots):
        if slot.slot_id == slot_id:
            return slot
    return None


def _address(address: str | None) -> str:
    return f", {address}" if address else ""


def start_booking(turn: Turn, topic: str | None = None) -> None:
    meeting = turn.context.next_meeting
    if meeting is not None:
        turn.ask_yes_no(
            turn.t("booking.already_booked", when=turn.moment(meeting.starts_at)),
            yes=Action(start="reschedule_meeting"),
        )
        return
    offer_slots(turn, Purpose.BOOK, topic=topic)


def offer_slots(
    turn: Turn,
    purpose: Purpose,
    *,
    topic: str | None = None,
    booking_id: int | None = None,
    intro: str | None = None,
    use_wanted: bool = True,
    offset: int = 0,
    exclude: tuple[int, ...] = (),
) -> None:
    pool = [slot for slot in _pool(turn, purpose) if slot.slot_id not in exclude]
    if not pool:
        if purpose == Purpose.CALLBACK:
            turn.say("handoff.no_callback_slots")
            queue(turn, HandoffReason.CALLBACK)
            callback_phone.ask_if_unknown(turn)
        else:
            turn.ask_yes_no(turn.t("booking.no_slots"), yes=Action(start="human_handoff"))
        return
    data = BookingPlan(purpose, topic, booking_id)
    if use_wanted:
        day, clock = wanted_time(turn.parse, turn.context.now, turn.tz)
        if day is not None or clock is not None:
            matches = [slot for slot in pool if _matches(turn, slot, day, clock)]
            if clock is not None and len(matches) == 1:
                confirm(turn, matches[0], data)
                return
            if matches:
                _offer_page(turn, matches, 0, intro or turn.t("booking.offer_slots"), data)
                return
            after = _wanted_moment(turn, day, clock)
            later = [slot for slot in pool if slot.starts_at >= after] or pool
            _offer_page(turn, later, 0, turn.t("booking.wanted_not_free"), data)
            return
    if intro is None:
        key = "booking.callback_offer" if purpose == Purpose.CALLBACK else "booking.offer_slots"
        intro = turn.t(key) if offset == 0 else turn.t("booking.more_slots")
    _offer_page(turn, pool, offset, intro, data)


def _wanted_moment(turn: Turn, day: date | None, clock: time | None) -> datetime:
    local_now = turn.context.now.astimezone(turn.tz)
    on = day or local_now.date()
    at = clock or time(0)
    return datetime.combine(on, at, tzinfo=turn.tz)


def _matches(turn: Turn, slot: SlotOffer, day: date | None, clock: time | None) -> bool:
    local = slot.starts_at.astimezone(turn.tz)
    if day is not None and local.date() != day:
        return False
    return clock is None or (local.hour, local.minute) == (clock.hour, clock.minute)


def _offer_page(
    turn: Turn, slots: list[SlotOffer], offset: int, intro: str, data: BookingPlan
) -> None:
    if offset >= len(slots):
        offset = 0
    page = slots[offset : offset + PAGE_SIZE]
    labels = [
        turn.t("booking.slot_label", when=turn.short_moment(slot.starts_at), location=slot.location)
        for slot in page
    ]
    more = len(slots) > offset + PAGE_SIZE
    choices = [*labels, turn.t("booking.more_choice")] if more else labels
    turn.ask(
        ChooseSlot(
            text=intro,
            choices=tuple(choices),
            plan=data,
            slot_ids=tuple(slot.slot_id for slot in page),
            all_ids=tuple(slot.slot_id for slot in slots),
            offset=offset,
        )
    )


def answer_slots(turn: Turn, pending: ChooseSlot) -> bool:
    """Read the answer to a list of times; False when the message is not an answer."""
    data = pending.plan
    slot_ids = pending.slot_ids
    index = pick_choice(turn.text, pending.choices)
    if index is not None and index >= len(slot_ids) and contains_any(turn.text, ("sidste", "last")):
        index = len(slot_ids) - 1  # "den sidste" means the last time, not "other times"
    wants_more = asks_for_more(turn.text) or (index is not None and index >= len(slot_ids))
    if wants_more:
        slots = [slot for slot in (_find(turn, i) for i in pending.all_ids) if slot is not None]
        offset = pending.offset + PAGE_SIZE
        if offset >= len(slots):
            slots = _pool(turn, data.purpose)
            offset = 0
        _offer_page(turn, slots, offset, turn.t("booking.more_slots"), data)
        return True
    if index is not None:
        slot = _find(turn, slot_ids[index])
        if slot is None:
            recover(turn, slot_ids[index])
        else:
            confirm(turn, slot, data)
        return True
    day, clock = wanted_time(turn.parse, turn.context.now, turn.tz)
    if day is not None or clock is not None:
        offer_slots(turn, data.purpose, topic=data.topic, booking_id=data.booking_id)
        return True
    if yes_or_no(turn.parse) is False:
        turn.clear_pending()
        turn.say("core.ok")
        return True
    return False


def confirm(turn: Turn, slot: SlotOffer, data: BookingPlan) -> None:
    when = turn.moment(slot.starts_at)
    meeting = turn.context.next_meeting
    if data.purpose == Purpose.RESCHEDULE and meeting is not None:
        text = turn.t(
            "booking.confirm_reschedule",
            old=turn.moment(meeting.starts_at),
            new=when,
            consultant=slot.consultant,
            location=slot.location,
        )
    else:
        text = turn.t(
            "booking.confirm", when=when, consultant=slot.consultant, location=slot.location
        )
    turn.ask(ConfirmSlot(text=text, choices=turn.yes_no_labels(), slot_id=slot.slot_id, plan=data))


def answer_confirm(turn: Turn, pending: ConfirmSlot) -> bool:
    answer = yes_or_no(turn.parse)
    if answer is None:
        index = pick_choice(turn.text, pending.choices)
        answer = None if index is None else index == 0
    data = pending.plan
    if answer is not True:
        day, clock = wanted_time(turn.parse, turn.context.now, turn.tz)
        if day is not None or clock is not None:
            # "Nej, hellere fredag kl 9": a correction, read as a new wish.
            offer_slots(turn, data.purpose, topic=data.topic, booking_id=data.booking_id)
            return True
    if answer is None:
        return False
    slot_id = pending.slot_id
    slot = _find(turn, slot_id)
    if not answer:
        offer_slots(
            turn,
            data.purpose,
            topic=data.topic,
            booking_id=data.booking_id,
            intro=turn.t("booking.not_booked"),
            use_wanted=False,
        )
        return True
    if slot is None:
        recover(turn, slot_id)
        return True
    turn.clear_pending()
    when = turn.moment(slot.starts_at)
    params = {
        "when": when,
        "consultant": slot.consultant,
        "location": slot.location,
        "address": _address(slot.address),
    }
    if data.purpose == Purpose.RESCHEDULE and data.booking_id is not None:
        turn.effects.append(RescheduleMeeting(data.booking_id, slot_id))
        turn.say("booking.rescheduled", **params)
    else:
        turn.effects.append(BookMeeting(slot_id, data.topic or None))
        turn.say("booking.booked", **params)
        if data.purpose == Purpose.CALLBACK:
            callback_phone.ask_if_unknown(turn)
    turn.facts["booked"] = when
    return True


def recover(turn: Turn, slot_id: int) -> None:
    """The slot went to someone else: say so and offer fresh times of the same kind."""
    pending = turn.pending
    plan = pending.plan if isinstance(pending, ChooseSlot | ConfirmSlot) else BookingPlan()
    offer_slots(
        turn,
        plan.purpose,
        topic=plan.topic,
        booking_id=plan.booking_id,
        intro=turn.t("booking.slot_taken"),
        use_wanted=False,
        exclude=(slot_id,),
    )


def show_meeting(turn: Turn) -> None:
    meeting = turn.context.next_meeting
    if meeting is None:
        turn.ask_yes_no(turn.t("booking.no_meeting"), yes=Action(start="book_meeting"))
        return
    text = turn.t(
        "booking.meeting_info",
        when=turn.moment(meeting.starts_at),
        consultant=meeting.consultant,
        location=meeting.location,
        address=_address(meeting.address),
        directions=f" {meeting.directions}" if meeting.directions else "",
    )
    turn.ask(
        Menu(
            text=text,
            choices=turn.labels("booking.meeting_choices"),
            options=("reschedule_meeting", "cancel_meeting"),
        )
    )


def start_reschedule(turn: Turn) -> None:
    meeting = turn.context.next_meeting
    if meeting is None:
        turn.ask_yes_no(turn.t("booking.no_meeting"), yes=Action(start="book_meeting"))
        return
    offer_slots(
        turn,
        Purpose.RESCHEDULE,
        booking_id=meeting.booking_id,
        intro=turn.t("booking.reschedule_offer", when=turn.moment(meeting.starts_at)),
    )


def start_cancel(turn: Turn) -> None:
    meeting = turn.context.next_meeting
    if meeting is None:
        turn.ask_yes_no(turn.t("booking.no_meeting"), yes=Action(start="book_meeting"))
        return
    when = turn.moment(meeting.starts_at)
    turn.ask(
        ConfirmCancel(
            text=turn.t("booking.confirm_cancel", when=when),
            choices=turn.yes_no_labels(),
            booking_id=meeting.booking_id,
            when=when,
        )
    )


def answer_cancel(turn: Turn, pending: ConfirmCancel) -> bool:
    answer = yes_or_no(turn.parse)
    if answer is None:
        index = pick_choice(turn.text, pending.choices)
        if index is None:
            return False
        answer = index == 0
    turn.clear_pending()
    if not answer:
        turn.say("booking.kept", when=pending.when)
        return True
    turn.effects.append(CancelMeeting(pending.booking_id))
    turn.ask_yes_no(
        turn.t("booking.cancelled", when=pending.when), yes=Action(start="book_meeting")
    )
    return True


def meeting_during(meeting: MeetingInfo | None, first: date, last: date, turn: Turn) -> bool:
    if meeting is None:
        return False
    on = meeting.starts_at.astimezone(turn.tz).date()
    return first <= on <= last
