"""Through the real pipeline: the first message on a channel is told a chatbot answers, and a
waiting citizen is told their own place in the queue (crisis chats ahead keep it honest)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation
from tests.chat import ChatTester
from tests.scheduling_data import make_citizen

NOTICE = "Du skriver med jobcentrets chatbot"


def test_the_first_message_on_a_channel_is_told_a_chatbot_answers(services: Services) -> None:
    web = ChatTester(services, address="web-first-contact-1")
    assert NOTICE in web.say_text("kan jeg få en tid")
    assert NOTICE not in web.say_text("hvornår har I åbent")
    sms = ChatTester(services, channel=Channel.SMS, address="+4520112233")
    assert sms.say("hvornår har I åbent")[0].text.startswith(NOTICE)


def test_a_known_number_that_never_wrote_is_told_too(services: Services) -> None:
    # A consultant registered the number (reminders may have gone to it); the citizen's own
    # first message is still their first contact with the chatbot.
    with transaction(services.session_factory) as session:
        make_citizen(session, address="+4520445566", now=services.clock.now())
    sms = ChatTester(services, channel=Channel.SMS, address="+4520445566")
    assert sms.say("hvornår har I åbent")[0].text.startswith(NOTICE)
    assert NOTICE not in sms.say_text("tak")


def test_a_waiting_citizen_is_told_the_wait_for_their_own_place(
    services: Services, clock: FixedClock
) -> None:
    first = ChatTester(services, address="web-queue-first")
    second = ChatTester(services, address="web-queue-second")
    first.say("jeg vil tale med et menneske")
    clock.set(clock.now() + timedelta(minutes=1))
    second.say("jeg vil tale med et menneske")
    # No waits recorded yet: ten minutes per chat in the queue up to and including one's own.
    assert "cirka 10 minutter" in first.say_text("hallo?")
    assert "cirka 20 minutter" in second.say_text("hallo?")
    ChatTester(services, address="web-queue-crisis").say("jeg vil ikke leve mere")
    clock.set(clock.now() + timedelta(minutes=11))
    assert "cirka 20 minutter" in first.say_text("hallo?")  # the crisis chat goes first


def test_a_crisis_chat_handed_off_again_keeps_its_reason_and_priority(
    chat: ChatTester, services: Services
) -> None:
    chat.say("jeg orker ikke mere")
    chat.say("mit fravær er registreret forkert")
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.priority == 100
        assert conversation.handoff_reason == "crisis"
        summary = conversation.handoff_summary or {}
        assert summary["reason"] == "crisis"
        assert "forkert" in str(summary["details"])
