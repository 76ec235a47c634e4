"""A citizen the provider says cannot be reached on a channel: remembered, and proactive
messages go by the citizen's other channel (real twilio and python-telegram-bot clients)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.domain.delivery import delivery_target
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import ChannelIdentity, Citizen, MessageStatus
from bot.wiring import create_app
from integrations.outbox.sender import OutboxSender
from integrations.outbox.store import SMS_OPTED_OUT
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import (
    PUBLIC_URL,
    new_citizen,
    outbox_rows,
    queue,
    run_until_idle,
    sign,
)
from tests.integrations.test_telegram import CHAT, post
from tests.integrations.twilio.test_inbound import PHONE
from tests.integrations.twilio.test_status import status_params

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def on_both_channels(services: Services, now: datetime, last: Channel) -> tuple[int, int]:
    """A citizen who writes by SMS and on Telegram, last on ``last``."""
    citizen_id, conversation_id = new_citizen(services, last, _address(last), now, phone=PHONE)
    other = Channel.TELEGRAM if last == Channel.SMS else Channel.SMS
    with transaction(services.session_factory) as session:
        session.add(
            ChannelIdentity(
                citizen_id=citizen_id,
                channel=other.value,
                address=_address(other),
                created_at=now.replace(year=now.year - 1),
                last_seen_at=now.replace(year=now.year - 1),
            )
        )
    return citizen_id, conversation_id


def _address(channel: Channel) -> str:
    return PHONE if channel == Channel.SMS else str(CHAT)


def citizen_row(services: Services, citizen_id: int) -> Citizen:
    with transaction(services.session_factory) as session:
        citizen = session.get(Citizen, citizen_id)
        assert citizen is not None
        session.expunge(citizen)
        return citizen


async def test_twilio_21610_opts_the_number_out_and_the_message_goes_by_telegram(
    channel_services: Services,
    sender: OutboxSender,
    fake_twilio: FakeTwilioApi,
    fake_telegram: FakeTelegramApi,
) -> None:
    now = channel_services.clock.now()
    citizen_id, conversation = on_both_channels(channel_services, now, last=Channel.SMS)
    fake_twilio.unsubscribed.add(PHONE)

    queue(channel_services, citizen_id, conversation, ["Din sagsbehandler har svaret dig."])
    await run_until_idle(sender)

    refused, moved = outbox_rows(channel_services)
    assert (refused.channel, refused.status) == ("sms", MessageStatus.FAILED.value)
    assert "21610" in (refused.last_error or "")
    assert "sent again by telegram" in (refused.last_error or "")
    assert (moved.channel, moved.status) == ("telegram", MessageStatus.SENT.value)
    assert [m["text"] for m in fake_telegram.sent(CHAT)] == ["Din sagsbehandler har svaret dig."]
    assert citizen_row(channel_services, citizen_id).sms_opted_out
    # The next one goes straight to Telegram.
    queue(channel_services, citizen_id, conversation, ["Husk dit møde."])
    assert outbox_rows(channel_services)[-1].channel == "telegram"


async def test_a_telegram_block_is_remembered_and_the_reply_goes_by_sms(
    channel_services: Services,
    sender: OutboxSender,
    fake_twilio: FakeTwilioApi,
    fake_telegram: FakeTelegramApi,
) -> None:
    now = channel_services.clock.now()
    citizen_id, conversation = on_both_channels(channel_services, now, last=Channel.TELEGRAM)
    fake_telegram.blocked_by.add(CHAT)

    queue(channel_services, citizen_id, conversation, ["Vi har fundet en tid til dig."])
    await run_until_idle(sender)

    refused, moved = outbox_rows(channel_services)
    assert (refused.channel, refused.status) == ("telegram", MessageStatus.FAILED.value)
    assert "blocked" in (refused.last_error or "")
    assert (moved.channel, moved.status) == ("sms", MessageStatus.SENT.value)
    assert [m["Body"] for m in fake_twilio.sent(PHONE)] == ["Vi har fundet en tid til dig."]
    assert citizen_row(channel_services, citizen_id).telegram_blocked


async def test_a_blocked_citizen_with_no_other_channel_is_not_sent_anything(
    channel_services: Services, sender: OutboxSender, fake_telegram: FakeTelegramApi
) -> None:
    now = channel_services.clock.now()
    citizen_id, conversation = new_citizen(channel_services, Channel.TELEGRAM, str(CHAT), now)
    fake_telegram.blocked_by.add(CHAT)
    queue(channel_services, citizen_id, conversation, ["Hej igen."])
    await run_until_idle(sender)

    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.FAILED.value
    with pytest.raises(LookupError):
        queue(channel_services, citizen_id, conversation, ["Hej en gang til."])


def member_update(status: str, update_id: int) -> dict[str, Any]:
    chat = {"id": CHAT, "type": "private", "first_name": "Aisha"}
    someone = {"id": CHAT, "is_bot": False, "first_name": "Aisha"}
    bot = {"id": 7000001, "is_bot": True, "first_name": "Jobcenter"}
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": chat,
            "from": someone,
            "date": 1795421520,
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": {"user": bot, "status": status, "until_date": 0},
        },
    }


def test_my_chat_member_kicked_blocks_telegram_and_member_unblocks_it(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    now = channel_services.clock.now()
    citizen_id, _ = on_both_channels(channel_services, now, last=Channel.TELEGRAM)

    assert post(channel_client, member_update("kicked", 81)) == 200
    citizen = citizen_row(channel_services, citizen_id)
    assert citizen.telegram_blocked
    with transaction(channel_services.session_factory) as session:
        identities = session.scalars(select(ChannelIdentity)).all()
        assert delivery_target(citizen, identities) == (Channel.SMS, PHONE)

    assert post(channel_client, member_update("member", 82)) == 200
    assert not citizen_row(channel_services, citizen_id).telegram_blocked
    assert fake_telegram.sent() == []  # nothing is answered to a membership change


def test_my_chat_member_of_a_stranger_stores_nothing(
    channel_client: TestClient, channel_services: Services
) -> None:
    assert post(channel_client, member_update("kicked", 83)) == 200
    with transaction(channel_services.session_factory) as session:
        assert session.scalars(select(Citizen)).all() == []


@pytest.mark.parametrize("code", ["30004", "30005", "30006"])
async def test_an_undeliverable_status_marks_sms_unreachable_until_one_is_delivered(
    channel_services: Services,
    sender: OutboxSender,
    fake_twilio: FakeTwilioApi,
    fake_telegram: FakeTelegramApi,
    code: str,
) -> None:
    now = channel_services.clock.now()
    citizen_id, conversation = on_both_channels(channel_services, now, last=Channel.SMS)
    [row_id] = queue(channel_services, citizen_id, conversation, ["Din tid er flyttet."])
    await run_until_idle(sender)
    client = TestClient(create_app(channel_services))  # no lifespan: only the route
    sid = fake_twilio.accepted[0]["sid"]
    url = f"{PUBLIC_URL}/webhooks/twilio/status?outbox_id={row_id}"
    params = status_params(sid, "undelivered", code)

    response = client.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})

    assert response.status_code == 204
    assert citizen_row(channel_services, citizen_id).sms_unreachable == code
    await run_until_idle(sender)
    refused, moved = outbox_rows(channel_services)
    assert refused.status == MessageStatus.FAILED.value
    assert (moved.channel, moved.status) == ("telegram", MessageStatus.SENT.value)
    assert [m["text"] for m in fake_telegram.sent(CHAT)] == ["Din tid er flyttet."]


async def test_a_bot_reply_queued_before_stop_is_not_sent_and_says_why(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi
) -> None:
    now = channel_services.clock.now()
    citizen_id, conversation = new_citizen(channel_services, Channel.SMS, PHONE, now, phone=PHONE)
    queue(channel_services, citizen_id, conversation, ["påmindelse"])
    with transaction(channel_services.session_factory) as session:
        citizen = session.get(Citizen, citizen_id)
        assert citizen is not None
        citizen.sms_opted_out = True

    await run_until_idle(sender)

    [row] = outbox_rows(channel_services)
    assert (row.status, row.last_error) == (MessageStatus.FAILED.value, SMS_OPTED_OUT)
    assert fake_twilio.sent() == []
