"""SMS through Twilio: signed webhooks answered with TwiML, opt-out words, GSM-7 text."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from twilio.request_validator import RequestValidator, add_port, remove_port
from twilio.twiml.messaging_response import MessagingResponse

from bot.kernel.gsm7 import GSM7, septets, sms_parts
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, Message, MessageStatus
from flows.content import Content
from integrations.outbox.sender import OutboxSender
from integrations.twilio_sms import (
    OPT_OUT_KEYWORDS,
    SignatureCheck,
    format_sms,
    parse_form,
    twiml,
)
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    PUBLIC_URL,
    count_rows,
    new_citizen,
    outbox_rows,
    queue,
    run_until_idle,
    sign,
)

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


def test_after_stop_queued_sms_are_not_sent(
    channel_client: TestClient, channel_services: Services, fake_twilio: FakeTwilioApi
) -> None:
    post_sms(channel_client, sms_params("hej"))
    post_sms(channel_client, sms_params("STOP"))
    with transaction(channel_services.session_factory) as session:
        citizen = session.scalars(select(Citizen)).one()
        citizen_id = citizen.id
        from bot.store.models import Conversation

        conversation_id = session.scalars(select(Conversation.id)).one()
    queue(channel_services, citizen_id, conversation_id, ["Husk dit møde i morgen"])

    from tests.integrations.conftest import wait_until

    wait_until(lambda: outbox_rows(channel_services)[-1].status == MessageStatus.FAILED.value)
    assert fake_twilio.sent() == []


form_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)
webhook_urls = st.builds(
    lambda base, path, query: base + path + query,
    st.sampled_from(
        [
            PUBLIC_URL,
            PUBLIC_URL + ":443",
            "http://127.0.0.1:8000",
            "http://127.0.0.1",
            "https://chat.kommune.test:8443",
        ]
    ),
    st.sampled_from(["/webhooks/twilio/sms", "/webhooks/twilio/status"]),
    st.sampled_from(["", "?outbox_id=17", "?a=1&b=%C3%A6"]),
)


@given(
    url=webhook_urls,
    params=st.dictionaries(form_text, form_text, max_size=6),
    signed_url=st.sampled_from(["same", "with port", "without port", "elsewhere"]),
    token=st.sampled_from([AUTH_TOKEN, "another-token"]),
    tamper=st.one_of(st.none(), form_text),
    forged=st.one_of(st.none(), st.text(alphabet=st.characters(max_codepoint=255), max_size=30)),
)
def test_the_signature_check_accepts_exactly_what_twilios_validator_accepts(
    url: str,
    params: dict[str, str],
    signed_url: str,
    token: str,
    tamper: str | None,
    forged: str | None,
) -> None:
    parsed = urlparse(url)
    signer = {
        "same": url,
        "with port": add_port(parsed),
        "without port": remove_port(parsed),
        "elsewhere": "https://evil.test/webhooks/twilio/sms",
    }[signed_url]
    signature = forged or RequestValidator(token).compute_signature(signer, params)
    received = dict(params)
    if tamper is not None:
        received["Body"] = tamper

    expected = RequestValidator(AUTH_TOKEN).validate(url, received, signature)

    assert SignatureCheck(AUTH_TOKEN).valid(url, received, signature) is expected


@given(
    st.one_of(
        st.dictionaries(form_text, form_text, max_size=6).map(urlencode),
        st.text(alphabet="ab=&+%2F0c\u00e6 ", max_size=30),
        st.text(max_size=30),
    )
)
def test_the_form_is_read_as_parse_qsl_reads_it(body: str) -> None:
    assert parse_form(body) == dict(parse_qsl(body, keep_blank_values=True))


def status_params(sid: str, status: str, error: str = "") -> dict[str, str]:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    if error:
        params["ErrorCode"] = error
    return params


@pytest.mark.anyio
async def test_status_callbacks_update_the_message_and_forged_ones_are_refused(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi
) -> None:
    from bot.wiring import create_app

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
    from tests.integrations.conftest import wait_until

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


# --- GSM-7 and length ---------------------------------------------------------------------


def test_a_long_text_is_cut_to_two_segments_but_keeps_its_choices() -> None:
    long_text = " ".join(["Her er en lang forklaring om ferie"] * 20)
    body = format_sms(long_text, ("Ja", "Nej"), max_segments=2)

    assert sms_parts(body) <= 2
    assert septets(body) <= 306
    assert body.endswith("...\n1. Ja\n2. Nej")


gsm_alphabet = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=800
)


@given(gsm_alphabet, st.lists(st.text(max_size=40), max_size=4))
def test_any_bot_text_becomes_gsm7_within_the_segment_limit(text: str, choices: list[str]) -> None:
    body = format_sms(text, tuple(choices), max_segments=2)
    assert set(body) <= GSM7
    assert sms_parts(body) <= 2


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
    assert "<Message>Hej, jeg er jobcentrets chatbot." in response.text


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
