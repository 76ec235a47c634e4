"""Finding and sharing the work: search, the queue's filters, giving a chat to a colleague who
then finds it under "Mine"."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AuditEntry, Citizen, CitizenContact, Conversation, Message
from tests.bot.inbox.conftest import InboxClient, InboxFactory, MakeConsultant
from tests.chat import ChatTester


def _conversation_of(services: Services, address: str) -> Conversation:
    with transaction(services.session_factory) as db:
        conversation = db.scalars(
            select(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.address == address)
            .order_by(Conversation.id.desc())
        ).first()
        assert conversation is not None
        return conversation


def _waiting_ids(page: str) -> list[int]:
    waiting = page[page.index('id="waiting"') :] if 'id="waiting"' in page else ""
    return [int(i) for i in re.findall(r'href="/inbox/conversations/(\d+)"', waiting)]


def _claim(
    services: Services,
    inbox: InboxClient,
    address: str,
    text: str,
    channel: Channel = Channel.WEB,
) -> Conversation:
    ChatTester(services, channel=channel, address=address).say(text)
    conversation = _conversation_of(services, address)
    inbox.post(f"/inbox/conversations/{conversation.id}/claim")
    return conversation


def test_search_finds_a_citizen_by_telegram_name_recorded_name_phone_and_message_text(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    inbox.login("anna")
    telegram_chat = _claim(
        services, inbox, "777001", "jeg vil tale med et menneske", Channel.TELEGRAM
    )
    web_chat = _claim(services, inbox, "web-find-1", "jeg vil tale med et menneske om min praktik")
    with transaction(services.session_factory) as db:
        citizen = db.get(Citizen, telegram_chat.citizen_id)
        assert citizen is not None
        citizen.display_name = "Mikkel Hansen"
        db.add(
            CitizenContact(
                citizen_id=web_chat.citizen_id,
                name="Sara Ali",
                phone="+4520304050",
                consent_statement="contact.consent_statement",
                consent_at=services.clock.now(),
                updated_at=services.clock.now(),
            )
        )

    def found(q: str) -> list[int]:
        page = inbox.get(f"/inbox/search?q={q}")
        assert page.status_code == 200
        return [int(i) for i in re.findall(r'href="/inbox/citizens/(\d+)"', page.text)]

    assert found("mikkel") == [telegram_chat.citizen_id]  # the Telegram name
    assert found("Sara") == [web_chat.citizen_id]  # the name recorded with consent
    assert found("20 30 40 50") == [web_chat.citizen_id]  # the phone, as Danes write it
    assert found("4050") == [web_chat.citizen_id]  # its last digits
    assert found("praktik") == [web_chat.citizen_id]  # a message's text
    assert found("ingen-har-skrevet-dette") == []
    page = inbox.get("/inbox/search?q=Sara").text
    assert "Sara A." in page
    assert "•••• 40 50" in page
    assert "Sara Ali" not in page
    assert "Skriv mindst to tegn" in inbox.get("/inbox/search?q=x").text
    with transaction(services.session_factory) as db:
        searches = db.scalars(select(AuditEntry).where(AuditEntry.action == "search")).all()
    assert len(searches) == 7  # each search is audited, without what was typed
    assert all("Sara" not in str(entry.detail) for entry in searches)


def test_search_never_finds_another_teams_citizen(
    services: Services, inbox_factory: InboxFactory, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna", team="Jobcenter Nord")
    make_consultant("bo", team="Jobcenter Syd")
    anna, bo = inbox_factory(), inbox_factory()
    anna.login("anna")
    bo.login("bo")
    _claim(services, anna, "web-find-2", "jeg vil tale med et menneske om mit sygedagpenge")
    assert "sygedagpenge" in anna.get("/inbox/search?q=sygedagpenge").text
    assert "Ingen borgere fundet" in bo.get("/inbox/search?q=sygedagpenge").text


def test_the_queue_filters_on_crisis_channel_waiting_time_and_topic(
    services: Services, clock: FixedClock, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    ChatTester(services, address="web-filter-1").say("jeg vil tale med et menneske")
    clock.set(clock.now() + timedelta(minutes=20))
    ChatTester(services, channel=Channel.SMS, address="+4522334455").say(
        "kan jeg tale med en medarbejder"
    )
    ChatTester(services, address="web-filter-3").say("jeg tænker på selvmord")
    clock.set(clock.now() + timedelta(minutes=1))
    early, sms, crisis = (
        _conversation_of(services, address).id
        for address in ("web-filter-1", "+4522334455", "web-filter-3")
    )
    make_consultant("anna")
    inbox.login("anna")

    assert _waiting_ids(inbox.get("/inbox").text) == [crisis, early, sms]
    assert _waiting_ids(inbox.get("/inbox?crisis=1").text) == [crisis]
    assert _waiting_ids(inbox.get("/inbox?channel=sms").text) == [sms]
    assert _waiting_ids(inbox.get("/inbox?waited=15").text) == [early]
    assert _waiting_ids(inbox.get("/inbox?topic=crisis").text) == [crisis]
    # The polled fragment keeps the filter.
    page = inbox.get("/inbox?channel=sms").text
    assert 'data-refresh="/inbox/queue.fragment?channel=sms"' in page
    assert _waiting_ids(inbox.get("/inbox/queue.fragment?channel=sms").text) == [sms]
    # A value that is no choice shows the whole queue, never an error.
    assert _waiting_ids(inbox.get("/inbox?channel=fax&waited=7").text) == [crisis, early, sms]


def test_a_chat_given_to_a_colleague_is_theirs_under_mine_and_audited(
    services: Services, inbox_factory: InboxFactory, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    karim = make_consultant("karim")
    bo_account = make_consultant("bo", team="Jobcenter Syd")
    anna, karims_browser = inbox_factory(), inbox_factory()
    anna.login("anna")
    karims_browser.login("karim")
    conversation = _claim(services, anna, "web-assign-1", "jeg vil tale med et menneske")
    page = anna.get(f"/inbox/conversations/{conversation.id}").text
    assert "Karim" in page
    assert "Bo" not in page.split('id="assign"')[1].split("</form>")[0]

    refused = anna.post(
        f"/inbox/conversations/{conversation.id}/assign", consultant_id=str(bo_account.id)
    )
    assert "error=" in refused.headers["location"]  # not in anna's team
    given = anna.post(f"/inbox/conversations/{conversation.id}/assign", consultant_id=str(karim.id))
    assert given.status_code == 303
    assert "error=" not in given.headers["location"]
    with transaction(services.session_factory) as db:
        row = db.get(Conversation, conversation.id)
        assert row is not None
        assert (row.status, row.assigned_consultant_id) == ("consultant", karim.id)
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "assign")).one()
        assert entry.detail == {"to_consultant": karim.id}
    assert f"/inbox/conversations/{conversation.id}" in karims_browser.get("/inbox/mine").text
    assert f"/inbox/conversations/{conversation.id}" not in anna.get("/inbox/mine").text
    # Karim may answer now; Anna may not.
    assert (
        "error="
        in anna.post(f"/inbox/conversations/{conversation.id}/reply", text="Hej").headers[
            "location"
        ]
    )
