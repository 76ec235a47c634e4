"""Telegram through python-telegram-bot against a fake Bot API: webhook, replies, buttons."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from bot.domain.delivery import enqueue_proactive
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import ChannelIdentity, Citizen, Conversation, Message
from integrations.channels import ChannelServices
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integrations.conftest import (
    BOT_TOKEN,
    PUBLIC_URL,
    WEBHOOK_SECRET,
    count_rows,
    outbox_rows,
    run_until_idle,
    wait_until,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CHAT = 5550001
_ids = itertools.count(9000)


def user(chat_id: int = CHAT, language: str = "da") -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Aisha", "language_code": language}


def update(
    chat_id: int = CHAT,
    *,
    update_id: int | None = None,
    chat_type: str = "private",
    language: str = "da",
    **content: Any,
) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = "Aisha"
    else:
        chat["title"] = "Kaffeklubben"
    return {
        "update_id": update_id if update_id is not None else next(_ids),
        "message": {
            "message_id": next(_ids),
            "date": 1795421520,
            "chat": chat,
            "from": user(CHAT if chat_type != "private" else chat_id, language),
            **content,
        },
    }


def post(client: TestClient, body: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/webhooks/telegram", json=body, headers=headers).status_code


def test_an_update_with_the_secret_is_answered_through_the_bot_api_with_buttons(
    channel_client: TestClient, fake_telegram: FakeTelegramApi
) -> None:
    assert post(channel_client, update(text="Hej")) == 200

    wait_until(lambda: fake_telegram.sent(CHAT))
    [reply] = fake_telegram.sent(CHAT)
    assert reply["text"].startswith("Hej, jeg er jobcentrets chatbot.")
    buttons = [row[0]["text"] for row in reply["reply_markup"]["inline_keyboard"]]
    assert buttons == ["Book en tid", "Tal med en person"]


def test_an_update_without_the_right_secret_is_refused_and_nothing_stored(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    assert post(channel_client, update(text="Hej"), secret=None) == 403
    assert post(channel_client, update(text="Hej"), secret="guess") == 403
    assert post(channel_client, update(text="Hej"), secret=WEBHOOK_SECRET + "x") == 403

    assert count_rows(channel_services, Message) == 0
    assert count_rows(channel_services, Citizen) == 0
    assert fake_telegram.sent() == []


def test_a_body_that_is_not_an_update_gets_400(channel_client: TestClient) -> None:
    assert post(channel_client, {"hello": "world"}) == 400  # type: ignore[arg-type]


def test_a_redelivered_update_is_answered_once(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    body = update(text="Hej", update_id=777)

    assert post(channel_client, body) == 200
    assert post(channel_client, body) == 200
    wait_until(lambda: fake_telegram.sent(CHAT))
    assert post(channel_client, body) == 200  # even after it was sent

    wait_until(lambda: all(r.status == "sent" for r in outbox_rows(channel_services)))
    assert len(fake_telegram.sent(CHAT)) == 1
    assert len(outbox_rows(channel_services)) == 1


def test_choosing_a_button_continues_the_conversation(
    channel_client: TestClient, fake_telegram: FakeTelegramApi
) -> None:
    post(channel_client, update(text="Hej"))
    wait_until(lambda: fake_telegram.sent(CHAT))
    [greeting] = fake_telegram.sent(CHAT)
    person = greeting["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    choice = {
        "update_id": next(_ids),
        "callback_query": {
            "id": "cbq-1",
            "from": user(),
            "chat_instance": "ci-1",
            "data": person,
            "message": {
                "message_id": 1,
                "date": 1795421520,
                "chat": {"id": CHAT, "type": "private", "first_name": "Aisha"},
                "text": greeting["text"],
            },
        },
    }

    assert post(channel_client, choice) == 200

    wait_until(lambda: len(fake_telegram.sent(CHAT)) == 2)
    assert fake_telegram.sent(CHAT)[1]["text"].startswith("Jeg giver din besked videre")
    assert fake_telegram.calls_to("answerCallbackQuery")


@pytest.mark.parametrize(
    "attachment",
    [
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u3",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"location": {"latitude": 55.68, "longitude": 12.57}},
    ],
    ids=["sticker", "location"],
)
def test_stickers_and_locations_get_a_polite_text_only_reply(
    attachment: dict[str, Any], channel_client: TestClient, fake_telegram: FakeTelegramApi
) -> None:
    assert post(channel_client, update(**attachment)) == 200

    wait_until(lambda: fake_telegram.sent(CHAT))
    [reply] = fake_telegram.sent(CHAT)
    assert reply["text"].startswith("Jeg kan kun læse tekst.")
    # Photos, documents and voice messages are files (tests/integrations/test_attachments.py).


def test_group_chats_are_refused_politely_and_nothing_is_stored(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    group = -100123
    body = update(group, chat_type="group", text="Hej alle")

    assert post(channel_client, body) == 200
    assert post(channel_client, body) == 200  # redelivered: refused once

    [reply] = fake_telegram.sent(group)
    assert reply["text"].startswith("Jeg svarer kun i private beskeder")
    assert fake_telegram.calls_to("leaveChat")
    assert count_rows(channel_services, Message) == 0


def test_start_with_a_language_payload_greets_in_that_language_and_offers_the_contact_button(
    channel_client: TestClient, fake_telegram: FakeTelegramApi
) -> None:
    assert post(channel_client, update(text="/start en", language="da")) == 200

    wait_until(lambda: len(fake_telegram.sent(CHAT)) == 2)
    greeting, share = fake_telegram.sent(CHAT)
    assert greeting["text"].startswith("Hi, I am the jobcentre's chatbot.")
    [[button]] = share["reply_markup"]["keyboard"]
    assert button == {"text": "Share my phone number", "request_contact": True}


def test_sharing_the_phone_number_joins_the_sms_citizen(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    from tests.integrations.twilio.test_inbound import post_sms, sms_params

    post_sms(channel_client, sms_params("hej", sender="+4520304050"))
    post(channel_client, update(text="Hej"))
    assert count_rows(channel_services, Citizen) == 2

    contact = {"phone_number": "4520304050", "first_name": "Aisha", "user_id": CHAT}
    assert post(channel_client, update(contact=contact)) == 200

    wait_until(lambda: len(fake_telegram.sent(CHAT)) == 2)
    assert fake_telegram.sent(CHAT)[1]["text"].startswith("Tak. Nu hænger dine beskeder")
    with transaction(channel_services.session_factory) as session:
        [citizen] = session.scalars(select(Citizen)).all()
        identities = sorted(
            (i.channel, i.address) for i in session.scalars(select(ChannelIdentity))
        )
        assert identities == [("sms", "+4520304050"), ("telegram", str(CHAT))]
        assert citizen.phone == "+4520304050"
        assert citizen.last_channel == "telegram"
        owners = set(session.scalars(select(Message.citizen_id)))
        assert owners == {citizen.id}
        assert set(session.scalars(select(Conversation.citizen_id))) == {citizen.id}

        # Proactive messages go where the citizen last wrote: Telegram now.
        conversation_id = session.scalars(select(Conversation.id)).first()
        assert conversation_id is not None
        row = enqueue_proactive(
            session,
            citizen=citizen,
            conversation_id=conversation_id,
            text="Husk din tid i morgen kl. 10.",
            now=channel_services.clock.now(),
        )
        assert (row.channel, row.address) == ("telegram", str(CHAT))
        sms_row = enqueue_proactive(
            session,
            citizen=citizen,
            conversation_id=conversation_id,
            text="Husk din tid i morgen kl. 10.",
            now=channel_services.clock.now(),
            channel=Channel.SMS,
        )
        assert sms_row.address == "+4520304050"


def test_someone_elses_contact_is_not_linked(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    contact = {"phone_number": "4599887766", "first_name": "Mor", "user_id": 12345}
    assert post(channel_client, update(contact=contact)) == 200

    wait_until(lambda: fake_telegram.sent(CHAT))
    assert fake_telegram.sent(CHAT)[0]["text"].startswith("Del gerne dit eget nummer")
    with transaction(channel_services.session_factory) as session:
        assert session.scalars(select(Citizen.phone)).one() is None


@pytest.mark.anyio
async def test_polling_fetches_updates_and_answers_them(
    channels: ChannelServices, fake_telegram: FakeTelegramApi, channel_services: Services
) -> None:
    assert channels.telegram is not None
    assert channels.outbox is not None
    fake_telegram.webhook = {"url": PUBLIC_URL + "/webhooks/telegram"}  # getUpdates refuses it
    fake_telegram.queue_update(update(text="Hej", update_id=50))
    fake_telegram.queue_update(update(text="Hej", update_id=50))  # delivered twice
    poller = channels.add_telegram_polling()

    await channels.telegram.transport.start()
    await poller.start()
    try:
        await wait_until_async(lambda: count_rows(channel_services, Message) == 2)
        await run_until_idle(channels.outbox)
    finally:
        await poller.stop()
        await channels.telegram.transport.stop()

    assert fake_telegram.calls_to("deleteWebhook")
    assert fake_telegram.pending_updates() == []  # confirmed by the offset
    assert fake_telegram.allowed_updates == (
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    )
    assert len(fake_telegram.sent(CHAT)) == 1
    assert count_rows(channel_services, Message) == 2  # one in, one reply


async def wait_until_async(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await anyio.sleep(0.02)


def test_set_webhook_registers_the_public_url_with_the_secret(
    fake_telegram: FakeTelegramApi, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    from bot.cli.main import app

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake_telegram.token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("BORGERCHAT_TELEGRAM__BASE_URL", fake_telegram.base_url)
    monkeypatch.setenv("BORGERCHAT_SERVER__PUBLIC_URL", "https://chat.kommune.test")
    monkeypatch.setenv("DATABASE_URL", database_url)

    result = CliRunner().invoke(app, ["telegram", "set-webhook"])

    assert result.exit_code == 0, result.output
    assert fake_telegram.webhook["url"] == "https://chat.kommune.test/webhooks/telegram"
    assert fake_telegram.webhook["secret_token"] == WEBHOOK_SECRET
    assert fake_telegram.token not in result.output
    assert "my_chat_member" in fake_telegram.webhook["allowed_updates"]
    assert "edited_message" in fake_telegram.webhook["allowed_updates"]


def test_serve_with_telegram_polling_needs_a_token_and_one_process(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    from bot.cli.main import app

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)

    no_token = CliRunner().invoke(app, ["serve", "--telegram-polling"])
    two_processes = CliRunner().invoke(app, ["serve", "--telegram-polling", "--workers", "2"])

    assert no_token.exit_code == 2
    assert "TELEGRAM_BOT_TOKEN" in no_token.output
    assert two_processes.exit_code == 2
    assert "one process" in two_processes.output


def test_neither_the_bot_token_nor_message_text_reaches_the_logs_at_info(
    channel_client: TestClient,
    fake_telegram: FakeTelegramApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from bot.runtime.logs import configure_logging

    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    configure_logging("INFO")  # what `borgerchat serve` does
    root.addHandler(caplog.handler)  # configure_logging replaced the root handlers
    try:
        _talk_and_check_logs(channel_client, fake_telegram, caplog)
    finally:
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])


def _talk_and_check_logs(
    channel_client: TestClient, fake_telegram: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fail_next(429, retry_after=1)  # the failure path logs too

    post(channel_client, update(text="Hej, jeg hedder Aisha Hansen"))
    post(channel_client, update(text="Hej"), secret="wrong")
    wait_until(lambda: "outbox message" in caplog.text)

    assert caplog.text  # something was logged
    assert BOT_TOKEN not in caplog.text
    assert "Aisha" not in caplog.text
