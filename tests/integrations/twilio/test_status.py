"""Delivery status callbacks: signed ones move the outbox row on, forged ones are refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.models import MessageStatus
from bot.wiring import create_app
from integrations.outbox.sender import OutboxSender
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import (
    ACCOUNT_SID,
    PUBLIC_URL,
    new_citizen,
    outbox_rows,
    queue,
    run_until_idle,
    sign,
    wait_until,
)
from tests.integrations.twilio.test_inbound import PHONE


def status_params(sid: str, status: str, error: str = "") -> dict[str, str]:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    if error:
        params["ErrorCode"] = error
    return params


@pytest.mark.anyio
async def test_status_callbacks_update_the_message_and_forged_ones_are_refused(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, channel_services.clock.now(), phone=PHONE
    )
    [row_id] = queue(channel_services, citizen, conversation, ["Din tid er bekræftet."])
    await run_until_idle(sender)
    [sent] = fake_twilio.sent(PHONE)
    callback_url = sent["StatusCallback"]
    sid = fake_twilio.accepted[0]["sid"]
    path = callback_url.removeprefix(PUBLIC_URL)

    client = TestClient(create_app(channel_services))  # no lifespan: only the route
    forged = status_params(sid, "failed", "30003")
    refused = client.post(
        path, data=forged, headers={"X-Twilio-Signature": sign(PUBLIC_URL + path, {})}
    )
    delivered = status_params(sid, "delivered")
    accepted = client.post(
        path, data=delivered, headers={"X-Twilio-Signature": sign(callback_url, delivered)}
    )
    late = status_params(sid, "sent")  # callbacks can arrive out of order
    client.post(path, data=late, headers={"X-Twilio-Signature": sign(callback_url, late)})

    assert refused.status_code == 403
    assert accepted.status_code == 204
    [row] = outbox_rows(channel_services)
    assert row.id == row_id
    assert row.status == MessageStatus.DELIVERED.value
    assert row.delivered_at is not None


def test_undelivered_status_marks_the_message_failed_with_the_error(
    channel_services: Services, channel_client: TestClient
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, channel_services.clock.now(), phone=PHONE
    )
    [row_id] = queue(channel_services, citizen, conversation, ["Din tid er flyttet."])
    wait_until(lambda: outbox_rows(channel_services)[0].status == MessageStatus.SENT.value)
    sid = outbox_rows(channel_services)[0].channel_message_id or ""
    url = f"{PUBLIC_URL}/webhooks/twilio/status?outbox_id={row_id}"
    params = status_params(sid, "undelivered", "30005")

    response = channel_client.post(
        url.removeprefix(PUBLIC_URL), data=params, headers={"X-Twilio-Signature": sign(url, params)}
    )

    assert response.status_code == 204
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.FAILED.value
    assert "30005" in (row.last_error or "")
