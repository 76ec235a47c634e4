"""Telegram beyond a plain new message, through python-telegram-bot and the fake Bot API: an
edit, a text longer than one message, and a reply to one of the bot's messages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Message
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integrations.conftest import outbox_rows, wait_until
from tests.integrations.test_telegram import CHAT, post, update

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def inbound_rows(services: Services) -> list[Message]:
    with transaction(services.session_factory) as session:
        return list(
            session.scalars(
                select(Message).where(Message.direction == "in").order_by(Message.id)
            ).all()
        )


def edited(text: str, message_id: int) -> dict[str, Any]:
    body = update(text=text)
    message = body.pop("message")
    message["message_id"] = message_id
    message["edit_date"] = message["date"] + 30
    return {**body, "edited_message": message}


def test_an_edited_message_is_stored_as_an_edit_and_answered(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    assert post(channel_client, update(text="Hej")) == 200
    wait_until(lambda: len(fake_telegram.sent(CHAT)) == 1)

    assert post(channel_client, edited("Hej, jeg vil booke en tid", 4242)) == 200

    wait_until(lambda: len(fake_telegram.sent(CHAT)) > 1)
    first, edit = inbound_rows(channel_services)
    assert (first.edited, edit.edited) == (False, True)
    assert edit.text == "Hej, jeg vil booke en tid"


def test_a_text_longer_than_one_telegram_message_is_stored_and_answered(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    long_text = "Jeg har et spørgsmål om min sag. " * 160  # over 4,096 characters

    assert post(channel_client, update(text=long_text)) == 200

    wait_until(lambda: fake_telegram.sent(CHAT))
    [answer] = fake_telegram.sent(CHAT)
    assert "Del den gerne op" in answer["text"]
    [stored] = inbound_rows(channel_services)
    assert stored.text == long_text.strip()


def test_a_reply_to_an_earlier_choice_list_is_read_as_that_choice(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    assert post(channel_client, update(text="Hej")) == 200
    wait_until(lambda: len(fake_telegram.sent(CHAT)) == 1)
    wait_until(lambda: all(row.channel_message_id for row in outbox_rows(channel_services)))
    with transaction(channel_services.session_factory) as session:
        greeting = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id)
        ).first()
        assert greeting is not None
        assert greeting.choices == ["Book en tid", "Tal med en person"]
        provider_id = greeting.channel_message_id or ""
    replied_to = {
        "message_id": int(provider_id.split(":")[1]),
        "date": 1795421520,
        "chat": {"id": CHAT, "type": "private", "first_name": "Aisha"},
        "from": {"id": 7000001, "is_bot": True, "first_name": "Jobcenter"},
        "text": "Hej, jeg er jobcentrets chatbot.",
    }

    assert post(channel_client, update(text="2", reply_to_message=replied_to)) == 200

    wait_until(lambda: len(inbound_rows(channel_services)) == 2)
    assert inbound_rows(channel_services)[-1].text == "Tal med en person"


def test_a_reply_to_a_message_that_is_not_ours_is_read_as_written(
    channel_client: TestClient, channel_services: Services
) -> None:
    replied_to = {
        "message_id": 999999,
        "date": 1795421520,
        "chat": {"id": CHAT, "type": "private", "first_name": "Aisha"},
        "text": "noget",
    }
    assert post(channel_client, update(text="2", reply_to_message=replied_to)) == 200
    assert inbound_rows(channel_services)[-1].text == "2"
