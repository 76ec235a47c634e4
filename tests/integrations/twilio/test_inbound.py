"""The SMS webhook: signed SMS answered with TwiML, numbered choices, opt-out words."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from twilio.twiml.messaging_response import MessagingResponse

from bot.kernel.gsm7 import sms_parts
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, Conversation, Message
from flows.content import Content
from integrations.twilio.inbound import OPT_OUT_KEYWORDS, twiml
from integrations.twilio.outbound import format_sms
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import (
    ACCOUNT_SID,
    FROM_NUMBER,
    PUBLIC_URL,
    count_rows,
    queue,
    sign,
)
from tests.integrations.twilio.test_outbound import gsm_alphabet

PHONE = "+4520304050"
_sids = itertools.count(1)


def sms_params(body: str, sid: str | None = None, sender: str = PHONE) -> dict[str, str]:
    return {
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


def post_sms(client: TestClient, params: dict[str, str], signature: str | None = None) -> list[str]:
    signature = signature or sign(PUBLIC_URL + "/webhooks/twilio/sms", params)
    response = client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)  # noqa: S314 (our own TwiML)
    assert root.tag == "Response"
    return [message.text or "" for message in root.findall("Message")]


def test_a_signed_sms_gets_a_twiml_reply_with_numbered_choices(
    channel_client: TestClient, channel_services: Services
) -> None:
    [reply] = post_sms(channel_client, sms_params("Hej"))

    assert reply.startswith("Hej, jeg er jobcentrets chatbot.")
    assert reply.endswith("\n1. Book en tid\n2. Tal med en person")
    assert sms_parts(reply) <= 2
    with transaction(channel_services.session_factory) as session:
        citizen = session.scalars(select(Citizen)).one()
        assert citizen.phone == PHONE
        assert citizen.last_channel == "sms"


@pytest.mark.parametrize("num_media", ["x", "", "-1", "1.5"])
def test_a_signed_sms_with_a_media_count_that_is_no_number_is_answered(
    channel_client: TestClient, num_media: str
) -> None:
    assert post_sms(channel_client, {**sms_params("Hej"), "NumMedia": num_media})


def test_a_forged_sms_is_refused_and_nothing_is_stored(
    channel_client: TestClient, channel_services: Services
) -> None:
    params = sms_params("Hej")
    wrong = sign(PUBLIC_URL + "/webhooks/twilio/sms", params, token="not-the-auth-token")
    response = channel_client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": wrong}
    )
    unsigned = channel_client.post("/webhooks/twilio/sms", data=params)
    # Signed for another URL (a replay against this server from elsewhere).
    elsewhere = sign("https://evil.test/webhooks/twilio/sms", params)
    replayed = channel_client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": elsewhere}
    )

    assert [response.status_code, unsigned.status_code, replayed.status_code] == [403, 403, 403]
    assert count_rows(channel_services, Message) == 0
    assert count_rows(channel_services, Citizen) == 0


def test_a_tampered_body_breaks_the_signature(channel_client: TestClient) -> None:
    params = sms_params("Hej")
    signature = sign(PUBLIC_URL + "/webhooks/twilio/sms", params)
    params["Body"] = "Tal med en person"
    response = channel_client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_a_redelivered_message_sid_is_answered_once_and_the_same(
    channel_client: TestClient, channel_services: Services
) -> None:
    params = sms_params("hej", sid="SM" + "7" * 32)

    first = post_sms(channel_client, params)
    again = post_sms(channel_client, params)

    assert again == first
    with transaction(channel_services.session_factory) as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        outbound = session.scalars(select(Message).where(Message.direction == "out")).all()
    assert len(inbound) == 1
    assert len(outbound) == len(first) == 1


def test_a_number_picks_the_numbered_choice(channel_client: TestClient) -> None:
    post_sms(channel_client, sms_params("hej"))

    [reply] = post_sms(channel_client, sms_params("2"))

    assert reply.startswith("Jeg giver din besked videre til en medarbejder.")


@pytest.mark.parametrize("word", sorted(OPT_OUT_KEYWORDS))
def test_every_twilio_opt_out_word_opts_the_number_out(
    word: str, channel_client: TestClient, channel_services: Services
) -> None:
    replies = post_sms(channel_client, sms_params(f" {word.lower()} "))

    assert replies == []  # Twilio answers opt-out words itself; a second answer is blocked
    with transaction(channel_services.session_factory) as session:
        assert session.scalars(select(Citizen.sms_opted_out)).one() is True


def test_start_opts_in_again_and_yes_only_when_opted_out(
    channel_client: TestClient, channel_services: Services
) -> None:
    def opted_out() -> bool:
        with transaction(channel_services.session_factory) as session:
            return bool(session.scalars(select(Citizen.sms_opted_out)).one())

    post_sms(channel_client, sms_params("STOP"))
    assert opted_out()
    assert post_sms(channel_client, sms_params("START")) == []
    assert not opted_out()

    post_sms(channel_client, sms_params("STOP"))
    assert post_sms(channel_client, sms_params("yes")) == []
    assert not opted_out()
    # Not opted out: YES is an ordinary answer for the bot.
    assert post_sms(channel_client, sms_params("yes")) != []


def test_help_is_left_to_twilio_and_changes_nothing(
    channel_client: TestClient, channel_services: Services
) -> None:
    assert post_sms(channel_client, sms_params("HELP")) == []
    with transaction(channel_services.session_factory) as session:
        assert session.scalars(select(Citizen.sms_opted_out)).one() is False


def test_after_stop_no_sms_is_queued_for_a_citizen_with_no_other_channel(
    channel_client: TestClient, channel_services: Services, fake_twilio: FakeTwilioApi
) -> None:
    post_sms(channel_client, sms_params("hej"))
    post_sms(channel_client, sms_params("STOP"))
    with transaction(channel_services.session_factory) as session:
        citizen = session.scalars(select(Citizen)).one()
        citizen_id = citizen.id
        conversation_id = session.scalars(select(Conversation.id)).one()

    with pytest.raises(LookupError):
        queue(channel_services, citizen_id, conversation_id, ["Husk dit møde i morgen"])
    assert fake_twilio.sent() == []


@given(st.lists(gsm_alphabet.map(lambda text: format_sms(text, (), max_segments=2)), max_size=3))
def test_the_twiml_answer_is_what_twilios_own_library_writes(bodies: list[str]) -> None:
    expected = MessagingResponse()
    for body in bodies:
        expected.message(body)
    assert twiml(bodies).body.decode() == str(expected)


def test_a_multipart_form_is_read_and_checked_like_a_url_encoded_one(
    channel_client: TestClient,
) -> None:
    params = sms_params("hej")
    signature = sign(PUBLIC_URL + "/webhooks/twilio/sms", params)
    response = channel_client.post(
        "/webhooks/twilio/sms",
        files={name: (None, value) for name, value in params.items()},
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 200
    assert ">Hej, jeg er jobcentrets chatbot." in response.text


def test_no_content_asks_a_citizen_to_reply_an_opt_out_word() -> None:
    """Twilio treats these words as opt-out: any text telling a citizen to send one is a trap."""
    content = Content.load()
    offenders = []
    for language in ("da", "en"):
        for key, value in content._entries[language].items():
            texts = value if isinstance(value, list) else [value]
            for text in texts:
                if not isinstance(text, str):
                    continue
                for word in OPT_OUT_KEYWORDS:
                    if f" {word} " in f" {text} " or f'"{word}"' in text:
                        offenders.append((language, key, word))
    assert offenders == []
