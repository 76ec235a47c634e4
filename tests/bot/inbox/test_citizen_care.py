"""Knowing the citizen: name and phone with consent, a meeting booked for them, an absence
notice annulled or corrected, and the buttons the bot offered in the transcript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.domain.booking_events import BookingListeners
from bot.domain.citizen_data import delete_citizen, export_citizen
from bot.inbox.citizen_names import danish_phone
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    AuditEntry,
    Booking,
    CitizenContact,
    Conversation,
    Location,
    Message,
    Reminder,
    Sender,
    Slot,
)
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester


@dataclass(frozen=True)
class HeldChat:
    citizen_id: int
    conversation_id: int
    consultant_id: int
    team_id: int


def _held_chat(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant, address: str
) -> HeldChat:
    ChatTester(services, address=address).say("jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation = db.scalars(
            select(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.address == address)
        ).first()
        assert conversation is not None
        ids = conversation.citizen_id, conversation.id
    anna = make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{ids[1]}/claim")
    return HeldChat(ids[0], ids[1], anna.id, anna.team_id)


def _told(services: Services, citizen_id: int) -> list[str]:
    with transaction(services.session_factory) as db:
        return [
            m.text or ""
            for m in db.scalars(
                select(Message)
                .where(Message.citizen_id == citizen_id, Message.sender == Sender.SYSTEM.value)
                .order_by(Message.id)
            )
        ]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("20 30 40 50", "+4520304050"),
        ("+45 20-30-40-50", "+4520304050"),
        ("0045 (20) 30 40 50", "+4520304050"),
        ("12345678", None),  # no Danish number starts with 1
        ("2030405", None),
        ("+46 20304050", None),
        ("ring mig", None),
    ],
)
def test_a_phone_number_must_be_danish(typed: str, stored: str | None) -> None:
    assert danish_phone(typed) == stored


def test_name_and_phone_are_kept_only_with_consent_and_shown_masked_in_lists(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    chat = _held_chat(services, inbox, make_consultant, "web-care-1")
    page = f"/inbox/citizens/{chat.citizen_id}"
    form = {"name": "Mikkel Hansen", "phone": "20 30 40 50"}

    refused = inbox.post(f"{page}/contact", **form)
    assert "error=" in refused.headers["location"]  # no consent ticked: nothing kept
    wrong = inbox.post(f"{page}/contact", name="Mikkel Hansen", phone="1234", consent="yes")
    assert "error=" in wrong.headers["location"]
    with transaction(services.session_factory) as db:
        assert db.scalars(select(CitizenContact)).all() == []

    saved = inbox.post(f"{page}/contact", **form, consent="yes")
    assert "error=" not in saved.headers["location"]
    citizen_page = inbox.get(page).text
    assert "<h1>Mikkel Hansen</h1>" in citizen_page  # instead of "Borger #N"
    assert 'href="tel:+4520304050"' in citizen_page
    assert "Samtykke givet til Anna" in citizen_page
    conversation = inbox.get(f"/inbox/conversations/{chat.conversation_id}").text
    assert "Samtale med Mikkel Hansen" in conversation
    mine = inbox.get("/inbox").text
    assert "Mikkel H." in mine
    assert "•••• 40 50" in mine
    assert "Mikkel Hansen" not in mine
    assert "20 30 40 50" not in mine
    with transaction(services.session_factory) as db:
        contact = db.scalars(select(CitizenContact)).one()
        assert (contact.consent_by_id, contact.phone) == (chat.consultant_id, "+4520304050")
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "save_contact")).one()
        assert "Mikkel" not in str(entry.detail)  # who and when, not what
        exported = export_citizen(db, chat.citizen_id)
        assert exported["contact"]["name"] == "Mikkel Hansen"
        assert exported["contact"]["consent_at"] is not None

    inbox.post(f"{page}/contact", name="", phone="")  # both emptied: deleted
    with transaction(services.session_factory) as db:
        assert db.scalars(select(CitizenContact)).all() == []


def test_a_deleted_citizen_takes_their_contact_details_along(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    chat = _held_chat(services, inbox, make_consultant, "web-care-2")
    inbox.post(
        f"/inbox/citizens/{chat.citizen_id}/contact", name="Sara Ali", phone="", consent="yes"
    )
    with transaction(services.session_factory) as db:
        delete_citizen(db, chat.citizen_id, services.clock.now(), BookingListeners())
    with transaction(services.session_factory) as db:
        assert db.scalars(select(CitizenContact)).all() == []


def test_a_consultant_books_a_free_slot_for_the_citizen_who_gets_a_confirmation(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    chat = _held_chat(services, inbox, make_consultant, "web-care-3")
    starts = services.clock.now() + timedelta(days=3)
    with transaction(services.session_factory) as db:
        location = Location(team_id=chat.team_id, name="Nord kontor")
        db.add(location)
        db.flush()
        slot = Slot(
            consultant_id=chat.consultant_id,
            location_id=location.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
        )
        db.add(slot)
        db.flush()
        slot_id = slot.id
    page = inbox.get(f"/inbox/citizens/{chat.citizen_id}").text
    assert f'<option value="{slot_id}">' in page

    booked = inbox.post(f"/inbox/citizens/{chat.citizen_id}/book", slot_id=str(slot_id))
    assert "error=" not in booked.headers["location"]
    with transaction(services.session_factory) as db:
        booking = db.scalars(select(Booking)).one()
        assert (booking.citizen_id, booking.booked_via) == (chat.citizen_id, "inbox")
        # The policy confirms a booking made for the citizen: that message tells them.
        kinds = db.scalars(select(Reminder.kind).where(Reminder.booking_id == booking.id)).all()
        assert "confirmation" in kinds
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "book_for_citizen"))
        assert entry.one().object_id == booking.id
    again = inbox.post(f"/inbox/citizens/{chat.citizen_id}/book", slot_id=str(slot_id))
    assert "error=" in again.headers["location"]  # taken now
    assert f'<option value="{slot_id}">' not in inbox.get(f"/inbox/citizens/{chat.citizen_id}").text


def test_a_wrong_absence_notice_is_annulled_or_corrected_with_a_reason_and_the_citizen_told(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    chat = _held_chat(services, inbox, make_consultant, "web-care-4")
    with transaction(services.session_factory) as db:
        first, second = (
            AbsenceNotice(
                citizen_id=chat.citizen_id,
                conversation_id=chat.conversation_id,
                starts_on=date(2026, 11, day),
                reason="own_sickness",
                reported_at=services.clock.now(),
            )
            for day in (23, 30)
        )
        db.add_all([first, second])
        db.flush()
        first_id, second_id = first.id, second.id

    assert (
        "error=" in inbox.post(f"/inbox/absences/{first_id}/annul", reason=" ").headers["location"]
    )  # a reason is needed
    annulled = inbox.post(f"/inbox/absences/{first_id}/annul", reason="Meldt på den forkerte")
    assert annulled.headers["location"].startswith(f"/inbox/citizens/{chat.citizen_id}?notice=")
    corrected = inbox.post(
        f"/inbox/absences/{second_id}/correct",
        starts_on="2026-12-01",
        ends_on="2026-12-03",
        reason="Borgeren ringede",
    )
    assert "error=" not in corrected.headers["location"]
    with transaction(services.session_factory) as db:
        one, two = db.get(AbsenceNotice, first_id), db.get(AbsenceNotice, second_id)
        assert one is not None
        assert two is not None
        assert one.annulled_at is not None
        assert one.change_reason == "Meldt på den forkerte"
        assert (two.starts_on, two.ends_on, two.annulled_at) == (
            date(2026, 12, 1),
            date(2026, 12, 3),
            None,
        )
        actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert {"annul_absence", "correct_absence"} <= set(actions)
    told = _told(services, chat.citizen_id)
    assert any("fravær fra 23.11.2026 er annulleret" in text for text in told)
    assert any("fra 01.12.2026 til 03.12.2026" in text for text in told)
    page = inbox.get(f"/inbox/citizens/{chat.citizen_id}").text
    assert "Annulleret" in page
    assert "Meldt på den forkerte" in page


def test_the_transcript_shows_the_buttons_the_bot_offered(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="web-care-5")
    offered = [reply for reply in citizen.say("hej") if reply.choices]
    assert offered  # the greeting's menu
    citizen.say("jeg vil tale med et menneske")
    make_consultant("anna")
    inbox.login("anna")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).first()
    page = inbox.get(f"/inbox/conversations/{conversation_id}").text
    assert '<ul class="offered"' in page
    for choice in offered[0].choices:
        assert f"<li>{choice}</li>" in page
