"""Closing a chat: the consultant confirms, the citizen is told, a question the consultant left
open reaches a person, and a handled chat ends with one "Fik du hjælp?"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.kernel.gsm7 import gsm7_length
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation, Message, SatisfactionAnswer, Sender
from flows.content import LANGUAGES, Content
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester


def _newest_conversation(services: Services, address: str) -> Conversation:
    with transaction(services.session_factory) as db:
        conversation = db.scalars(
            select(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.address == address)
            .order_by(Conversation.id.desc())
        ).first()
        assert conversation is not None
        return conversation


def _held_chat(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant, address: str
) -> tuple[ChatTester, int]:
    citizen = ChatTester(services, address=address)
    citizen.say("jeg vil gerne tale med et menneske")
    conversation_id = _newest_conversation(services, address).id
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation_id}/claim")
    return citizen, conversation_id


def _system_texts(services: Services, address: str) -> list[str]:
    with transaction(services.session_factory) as db:
        return [
            m.text or ""
            for m in db.scalars(
                select(Message)
                .where(Message.address == address, Message.sender == Sender.SYSTEM.value)
                .order_by(Message.id)
            )
        ]


def test_closing_asks_first_and_a_post_without_the_confirm_step_changes_nothing(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    _, conversation_id = _held_chat(services, inbox, make_consultant, "web-close-1")
    page = inbox.get(f"/inbox/conversations/{conversation_id}").text
    assert f'href="/inbox/conversations/{conversation_id}/close"' in page

    confirm = inbox.get(f"/inbox/conversations/{conversation_id}/close")
    assert confirm.status_code == 200
    assert "Vil du afslutte samtalen" in confirm.text
    assert "Vi har lukket samtalen" in confirm.text  # what the citizen will be told
    assert 'name="confirmed" value="yes"' in confirm.text

    unconfirmed = inbox.post(f"/inbox/conversations/{conversation_id}/close")
    assert unconfirmed.status_code == 303
    assert unconfirmed.headers["location"].endswith(f"/{conversation_id}/close")
    assert _newest_conversation(services, "web-close-1").status == "consultant"


def test_a_handled_chat_tells_the_citizen_and_asks_once_whether_they_got_help(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen, conversation_id = _held_chat(services, inbox, make_consultant, "web-close-2")
    inbox.post(f"/inbox/conversations/{conversation_id}/reply", text="Du får svar i morgen.")
    closed = inbox.post(f"/inbox/conversations/{conversation_id}/close", confirmed="yes")
    assert closed.status_code == 303

    told = _system_texts(services, "web-close-2")
    assert any("Vi har lukket samtalen" in text for text in told)
    assert told[-1] == "Fik du den hjælp, du havde brug for?"
    with transaction(services.session_factory) as db:
        question = db.scalars(select(Message).where(Message.text == told[-1])).one()
        assert question.choices == ["Ja", "Ja, delvist", "Nej"]
        assert question.conversation_id != conversation_id  # the next message's conversation

    assert "Tak for dit svar" in citizen.say_text("2")
    with transaction(services.session_factory) as db:
        answer = db.scalars(select(SatisfactionAnswer)).one()
        assert answer.answer == "partly"
        assert answer.answered_at is not None
    # Answered once: the next "1" is an ordinary message, not a second answer.
    citizen.say("1")
    with transaction(services.session_factory) as db:
        assert db.scalars(select(SatisfactionAnswer.answer)).all() == ["partly"]

    statistics = inbox.get("/inbox/statistics").text
    table = statistics[statistics.index('id="satisfaction-weeks"') :]
    # One asked, none yes, one partly, none no: 0 % said yes.
    assert "<td>1</td><td>0</td><td>1</td><td>0</td><td>0 %</td>" in table


def test_the_citizens_answer_to_a_consultants_last_question_goes_to_a_person(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen, conversation_id = _held_chat(services, inbox, make_consultant, "web-close-3")
    inbox.post(f"/inbox/conversations/{conversation_id}/reply", text="Hvilken dato var du syg?")
    confirm = inbox.get(f"/inbox/conversations/{conversation_id}/close").text
    assert "Dit sidste svar var et spørgsmål" in confirm
    inbox.post(f"/inbox/conversations/{conversation_id}/close", confirmed="yes")
    assert any("Svar gerne på spørgsmålet" in t for t in _system_texts(services, "web-close-3"))

    citizen.say("den 3. december")  # before: the bot read this as a new topic
    follow_up = _newest_conversation(services, "web-close-3")
    assert follow_up.id != conversation_id
    assert follow_up.status == "waiting"
    assert follow_up.handoff_reason == "answer_after_close"
    queue = inbox.get("/inbox").text
    assert f"/inbox/conversations/{follow_up.id}" in queue
    assert "svar på en medarbejders spørgsmål" in queue
    with transaction(services.session_factory) as db:
        assert db.scalars(select(SatisfactionAnswer)).all() == []  # not done yet: not asked


def test_no_satisfaction_question_after_a_crisis_chat(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="web-close-4")
    citizen.say("jeg tænker på selvmord")
    conversation_id = _newest_conversation(services, "web-close-4").id
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation_id}/claim")
    inbox.post(f"/inbox/conversations/{conversation_id}/reply", text="Jeg er her nu.")
    inbox.post(f"/inbox/conversations/{conversation_id}/close", confirmed="yes")
    told = _system_texts(services, "web-close-4")
    assert any("Vi har lukket samtalen" in text for text in told)
    assert not any("Fik du den hjælp" in text for text in told)


def test_closing_a_waiting_chat_tells_the_citizen_but_asks_nothing(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    ChatTester(services, address="web-close-5").say("jeg vil tale med en medarbejder")
    conversation_id = _newest_conversation(services, "web-close-5").id
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation_id}/close", confirmed="yes")
    told = _system_texts(services, "web-close-5")
    assert any("Vi har lukket samtalen" in text for text in told)
    assert not any("Fik du den hjælp" in text for text in told)  # nobody helped them yet


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_closing_texts_fit_sms_as_plain_gsm_7(language: str) -> None:
    content = Content.load()
    texts = [
        content.text(language, "after_close.closed"),
        content.text(language, "after_close.closed_question_open"),
        content.text(language, "after_close.satisfaction"),
        content.text(language, "after_close.satisfaction_thanks"),
        *map(str, content.raw(language, "after_close.satisfaction_choices")),
    ]
    for text in texts:
        assert gsm7_length(text) is not None, text  # no character forces UCS-2
    assert len(content.raw(language, "after_close.satisfaction_choices")) == 3
