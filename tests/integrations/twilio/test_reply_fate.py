"""Every SMS has a fate: a TwiML reply carries its status callback and is not ``sent`` until
Twilio says so; after STOP nothing is answered by SMS."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.twiml.messaging_response import MessagingResponse

from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, MessageStatus
from integrations.outbox.store import SMS_OPTED_OUT
from integrations.twilio.inbound import twiml
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import PUBLIC_URL, outbox_rows, sign, wait_until
from tests.integrations.twilio.test_inbound import post_sms, sms_params
from tests.integrations.twilio.test_status import status_params


def post_raw(client: TestClient, params: dict[str, str]) -> ET.Element:
    signature = sign(PUBLIC_URL + "/webhooks/twilio/sms", params)
    response = client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    return ET.fromstring(response.text)  # noqa: S314 (our own TwiML)


def report(client: TestClient, action: str, sid: str, status: str, error: str = "") -> None:
    params = status_params(sid, status, error)
    response = client.post(
        action, data=params, headers={"X-Twilio-Signature": sign(action, params)}
    )
    assert response.status_code == 204


def test_a_twiml_reply_is_sending_until_twilio_reports_it_and_then_has_its_sid(
    channel_client: TestClient, channel_services: Services
) -> None:
    [message] = post_raw(channel_client, sms_params("Hej")).findall("Message")
    action = message.get("action") or ""
    [row] = outbox_rows(channel_services)

    assert action == f"{PUBLIC_URL}/webhooks/twilio/status?outbox_id={row.id}"
    assert row.status == MessageStatus.SENDING.value  # not "sendt" before Twilio has it

    sid = "SM" + "a" * 32
    report(channel_client, action, sid, "sent")
    [row] = outbox_rows(channel_services)
    assert (row.status, row.channel_message_id) == (MessageStatus.SENT.value, sid)
    report(channel_client, action, sid, "delivered")
    assert outbox_rows(channel_services)[0].status == MessageStatus.DELIVERED.value


def test_a_twiml_reply_twilio_could_not_deliver_shows_failed(
    channel_client: TestClient, channel_services: Services
) -> None:
    [message] = post_raw(channel_client, sms_params("Hej")).findall("Message")
    report(channel_client, message.get("action") or "", "SM" + "b" * 32, "undelivered", "30003")

    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.FAILED.value
    assert "30003" in (row.last_error or "")


def test_the_twiml_with_actions_is_what_twilios_own_library_writes() -> None:
    expected = MessagingResponse()
    expected.message("Hej & velkommen", action="https://chat.kommune.test/s?outbox_id=7")
    expected.message("Nummer to", action="https://chat.kommune.test/s?outbox_id=8")
    written = twiml(
        ["Hej & velkommen", "Nummer to"],
        ["https://chat.kommune.test/s?outbox_id=7", "https://chat.kommune.test/s?outbox_id=8"],
    )
    assert written.body.decode() == str(expected)


def test_after_stop_an_sms_is_stored_but_answered_by_nothing_and_not_shown_as_sent(
    channel_client: TestClient, channel_services: Services, fake_twilio: FakeTwilioApi
) -> None:
    post_sms(channel_client, sms_params("hej"))
    assert post_sms(channel_client, sms_params("STOP")) == []

    assert post_sms(channel_client, sms_params("Hvornår er mit møde?")) == []

    wait_until(lambda: outbox_rows(channel_services)[-1].status == MessageStatus.FAILED.value)
    after_stop = outbox_rows(channel_services)[-1]
    assert after_stop.last_error == SMS_OPTED_OUT
    assert fake_twilio.sent() == []
    with transaction(channel_services.session_factory) as session:
        assert session.scalars(select(Citizen.sms_opted_out)).one()
