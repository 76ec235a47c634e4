"""A replayed Telegram update_id from another chat and a reused MessageSid from another number
make no citizen and carry nobody's reply; web chat ids belong to their session."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from bot.services import Services
from bot.store.models import Citizen, Message
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integrations.conftest import count_rows, wait_until
from tests.integrations.test_telegram import post, update
from tests.integrations.twilio.test_inbound import post_sms, sms_params

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_an_update_id_replayed_from_another_chat_is_ignored(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    assert post(channel_client, update(5550001, update_id=424242, text="Jeg hedder Sofie")) == 200
    wait_until(lambda: fake_telegram.sent(5550001))
    citizens, messages = (
        count_rows(channel_services, Citizen),
        count_rows(channel_services, Message),
    )

    assert post(channel_client, update(5550002, update_id=424242, text="hej")) == 200

    time.sleep(0.3)  # the outbox sender polls every 0.05 s: it would have sent by now
    assert fake_telegram.sent(5550002) == []
    assert count_rows(channel_services, Citizen) == citizens
    assert count_rows(channel_services, Message) == messages


def test_a_message_sid_reused_from_another_number_gets_an_empty_answer(
    channel_client: TestClient, channel_services: Services
) -> None:
    [first_reply] = post_sms(channel_client, sms_params("Hej", sid="SM" + "7" * 32))
    assert first_reply
    citizens = count_rows(channel_services, Citizen)

    replies = post_sms(channel_client, sms_params("Hej", sid="SM" + "7" * 32, sender="+4529999999"))

    assert replies == []  # not the first number's reply
    assert count_rows(channel_services, Citizen) == citizens


def test_a_stop_reusing_another_number_s_sid_changes_nobody(
    channel_client: TestClient, channel_services: Services
) -> None:
    post_sms(channel_client, sms_params("Hej", sid="SM" + "8" * 32))
    assert (
        post_sms(channel_client, sms_params("STOP", sid="SM" + "8" * 32, sender="+4528888888"))
        == []
    )
    assert count_rows(channel_services, Citizen) == 1


def test_two_web_sessions_may_use_the_same_client_id(
    channel_client: TestClient, channel_services: Services
) -> None:
    for session in ("session-aaaa", "session-bbbb"):
        body = {"session": session, "text": "hej", "message_id": "1"}
        response = channel_client.post("/api/chat/messages", json=body)
        assert response.status_code == 200
        assert response.json()["replies"]
    assert count_rows(channel_services, Citizen) == 2
