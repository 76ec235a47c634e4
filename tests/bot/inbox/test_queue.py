"""The queue as a story: a citizen asks for a person, a consultant takes and answers the chat."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, Conversation, Message, Sender
from tests.bot.inbox.conftest import InboxClient, MakeConsultant, team_id
from tests.chat import ChatTester


def _conversation(services: Services, address: str) -> Conversation:
    with transaction(services.session_factory) as db:
        return db.scalars(
            select(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.address == address)
            .order_by(Conversation.id.desc())
        ).first()  # type: ignore[return-value]


def test_crisis_comes_first_then_the_longest_waiting(
    services: Services, clock: FixedClock, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    ChatTester(services, address="first-asker").say("kan jeg tale med et menneske")
    clock.set(clock.now() + timedelta(minutes=5))
    ChatTester(services, address="second-asker").say("jeg vil tale med en konsulent")
    clock.set(clock.now() + timedelta(minutes=5))
    ChatTester(services, address="in-crisis").say("jeg tænker på selvmord")
    make_consultant("anna")
    inbox.login("anna")

    page = inbox.get("/inbox").text
    ids = [int(i) for i in re.findall(r'href="/inbox/conversations/(\d+)"', page)]
    expected = [
        _conversation(services, address).id
        for address in ("in-crisis", "first-asker", "second-asker")
    ]
    assert ids == expected
    assert "KRISE" in page


def test_a_consultant_claims_answers_and_the_citizen_sees_it_in_the_web_chat(
    services: Services, client: TestClient, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="websession-42")
    citizen.say("jeg vil gerne tale med et menneske om min løn")
    conversation = _conversation(services, "websession-42")
    make_consultant("anna")
    inbox.login("anna")

    page = inbox.get(f"/inbox/conversations/{conversation.id}")
    assert "min løn" in page.text  # the transcript
    assert inbox.post(f"/inbox/conversations/{conversation.id}/claim").status_code == 303
    assert (
        inbox.post(
            f"/inbox/conversations/{conversation.id}/reply",
            text="Hej, det er Anna. Hvad tjener du?",
        ).status_code
        == 303
    )

    # While the consultant holds the chat, the bot stays silent.
    assert citizen.say("ca. 3000 kr om måneden") == []

    with transaction(services.session_factory) as db:
        sent = db.scalars(select(Message).where(Message.sender == Sender.CONSULTANT.value)).one()
        assert (sent.channel, sent.address, sent.status) == ("web", "websession-42", "queued")
        assert sent.consultant_id is not None
    polled = client.get("/api/chat/messages", params={"session": "websession-42"}).json()
    assert [r["text"] for r in polled["replies"]] == ["Hej, det er Anna. Hvad tjener du?"]

    transcript = inbox.get(f"/inbox/conversations/{conversation.id}/transcript.fragment").text
    assert "ca. 3000 kr om måneden" in transcript
    assert 'data-status="delivered"' in transcript  # the browser fetched it


def test_two_consultants_cannot_both_claim_one_conversation(
    services: Services, inbox_factory: object, make_consultant: MakeConsultant
) -> None:
    ChatTester(services, address="websession-7").say("menneske tak")
    conversation = _conversation(services, "websession-7")
    make_consultant("anna")
    make_consultant("bo")
    anna, bo = inbox_factory(), inbox_factory()  # type: ignore[operator]
    anna.login("anna")
    bo.login("bo")
    assert anna.post(f"/inbox/conversations/{conversation.id}/claim").status_code == 303
    refused = bo.post(f"/inbox/conversations/{conversation.id}/claim")
    assert (
        "allerede taget" in refused.headers["location"]
        or "taget" in bo.get(refused.headers["location"]).text
    )
    # Bo cannot answer a chat Anna holds.
    bo.post(f"/inbox/conversations/{conversation.id}/reply", text="Hej fra Bo")
    with transaction(services.session_factory) as db:
        assert db.scalars(select(Message).where(Message.text == "Hej fra Bo")).first() is None
        row = db.get(Conversation, conversation.id)
        assert row is not None
        assert row.status == "consultant"


def test_handing_back_lets_the_bot_answer_again_and_closing_ends_the_chat(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="websession-9")
    citizen.say("menneske")
    conversation = _conversation(services, "websession-9")
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation.id}/claim")
    assert citizen.say("hej") == []
    assert inbox.post(f"/inbox/conversations/{conversation.id}/hand-back").status_code == 303
    with transaction(services.session_factory) as db:
        told = db.scalars(select(Message).where(Message.sender == Sender.SYSTEM.value)).one()
        assert told.address == "websession-9"
        assert told.text is not None
        assert "chatbotten dig igen" in told.text
    assert citizen.say("hej")  # the bot answers again
    with transaction(services.session_factory) as db:
        row = db.get(Conversation, conversation.id)
        assert row is not None
        assert (row.status, row.assigned_consultant_id) == ("bot", None)

    citizen.say("menneske igen")
    inbox.post(f"/inbox/conversations/{conversation.id}/claim")
    inbox.post(f"/inbox/conversations/{conversation.id}/close", confirmed="yes")
    with transaction(services.session_factory) as db:
        row = db.get(Conversation, conversation.id)
        assert row is not None
        assert row.status == "closed"
        assert row.closed_at is not None


def test_notes_stay_internal_and_canned_replies_are_offered(
    services: Services, inbox_factory: object, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="websession-11")
    citizen.say("menneske")
    conversation = _conversation(services, "websession-11")
    make_consultant("admin", role="admin")
    make_consultant("anna")
    admin, anna = inbox_factory(), inbox_factory()  # type: ignore[operator]
    admin.login("admin")
    admin.post("/inbox/canned", title="Hilsen", text="Hej, du taler nu med en medarbejder.")
    anna.login("anna")
    assert anna.get("/inbox/canned").status_code == 403  # admins manage canned replies

    anna.post(f"/inbox/conversations/{conversation.id}/claim")
    anna.post(f"/inbox/conversations/{conversation.id}/notes", text="Ringer hende i morgen")
    page = anna.get(f"/inbox/conversations/{conversation.id}").text
    assert "Ringer hende i morgen" in page
    assert "Hej, du taler nu med en medarbejder." in page  # in the canned picker
    with transaction(services.session_factory) as db:
        texts = db.scalars(select(Message.text)).all()
        assert "Ringer hende i morgen" not in texts


def test_a_consultant_sees_only_their_team_and_unassigned_citizens(
    services: Services, inbox_factory: object, make_consultant: MakeConsultant
) -> None:
    ChatTester(services, address="websession-north").say("menneske")
    north_chat = _conversation(services, "websession-north")
    make_consultant("anna", team="Jobcenter Nord")
    make_consultant("sofie", team="Jobcenter Syd")
    anna, sofie = inbox_factory(), inbox_factory()  # type: ignore[operator]
    anna.login("anna")
    sofie.login("sofie")
    # Nobody's citizen yet: both teams see the chat.
    assert f"/inbox/conversations/{north_chat.id}" in sofie.get("/inbox").text
    anna.post(f"/inbox/conversations/{north_chat.id}/claim")
    north = team_id(services, "Jobcenter Nord")
    with transaction(services.session_factory) as db:
        citizen = db.get(Citizen, north_chat.citizen_id)
        assert citizen is not None
        assert citizen.team_id == north
    # Now the citizen is Nord's: Syd neither sees the chat nor the citizen page.
    assert sofie.get(f"/inbox/conversations/{north_chat.id}").status_code == 404
    assert sofie.get(f"/inbox/citizens/{north_chat.citizen_id}").status_code == 404
    assert f"/inbox/conversations/{north_chat.id}" not in sofie.get("/inbox").text


def test_an_empty_reply_is_refused_with_a_clear_message(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    ChatTester(services, address="websession-12").say("menneske")
    conversation = _conversation(services, "websession-12")
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation.id}/claim")
    response = inbox.post(f"/inbox/conversations/{conversation.id}/reply", text="   ")
    page = inbox.get(response.headers["location"]).text
    assert "Svaret er tomt eller for langt." in page


def test_a_reply_to_a_telegram_citizen_is_queued_for_the_telegram_sender(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    from bot.kernel.messages import Channel

    ChatTester(services, Channel.TELEGRAM, "7001234").say("jeg vil tale med et menneske")
    conversation = _conversation(services, "7001234")
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation.id}/claim")
    inbox.post(f"/inbox/conversations/{conversation.id}/reply", text="Hej fra Anna")
    with transaction(services.session_factory) as db:
        row = db.scalars(select(Message).where(Message.text == "Hej fra Anna")).one()
    assert (row.channel, row.address, row.status, row.sender) == (
        "telegram",
        "7001234",
        "queued",
        "consultant",
    )
    assert row.next_attempt_at is not None
    page = inbox.get(f"/inbox/conversations/{conversation.id}/transcript.fragment").text
    assert 'data-status="queued"' in page
