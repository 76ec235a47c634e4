"""The webhooks accept exactly the requests twilio's own ``RequestValidator`` accepts."""

from __future__ import annotations

import hashlib
import json
import string
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import (
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)

from bot.services import Services
from bot.wiring import create_app
from integrations.twilio.outbound import SmsChannel
from integrations.twilio.signature import parse_form
from tests.integrations.conftest import AUTH_TOKEN, PUBLIC_URL

form_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)
public_urls = st.sampled_from(
    [
        PUBLIC_URL,
        PUBLIC_URL + ":443",
        "http://127.0.0.1:8000",
        "http://127.0.0.1",
        "https://chat.kommune.test:8443",
    ]
)
paths = st.sampled_from(["/webhooks/twilio/sms", "/webhooks/twilio/status"])
queries = st.sampled_from(["", "?outbox_id=17", "?a=1&b=%C3%A6"])
# No settings header (the auth token's HMAC-SHA1), or one naming an algorithm, known or not.
signature_settings = st.sampled_from(
    [
        None,
        "key=HK0001,algorithm=HMAC_SHA1",
        "key=HK0001,algorithm=HMAC_SHA256",
        "algorithm=hmac_sha256",
        "key=HK0001",
        "key=HK0001,algorithm=HMAC_SHA512",
    ]
)
signed_urls = st.sampled_from(["same", "with port", "without port", "elsewhere"])
# What a header can carry: HTTP keeps no control characters nor surrounding spaces.
forgeries = st.one_of(
    st.none(), st.text(alphabet=string.ascii_letters + string.digits + "+/=", max_size=30)
)
WEBHOOK = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def webhook(channel_services: Services) -> tuple[TestClient, SmsChannel]:
    """The app without its workers (no lifespan: only the routes), and its SMS channel."""
    assert channel_services.channels is not None
    sms = channel_services.channels.sms
    assert sms is not None
    return TestClient(create_app(channel_services)), sms


def _signer(url: str, how: str) -> str:
    parsed = urlparse(url)
    return {
        "same": url,
        "with port": add_port(parsed),
        "without port": remove_port(parsed),
        "elsewhere": "https://evil.test/webhooks/twilio/sms",
    }[how]


def _refused(
    webhook: tuple[TestClient, SmsChannel],
    public_url: str,
    path: str,
    headers: dict[str, str],
    settings_header: str | None,
    **body: object,
) -> bool:
    client, sms = webhook
    sms.public_url = public_url
    if settings_header is not None:
        headers = {**headers, SIGNATURE_SETTINGS_HEADER: settings_header}
    response = client.post(path, headers=headers, **body)  # type: ignore[arg-type]
    assert response.status_code < 500, response.text
    return response.status_code == 403


@WEBHOOK
@given(
    public_url=public_urls,
    path=paths,
    query=queries,
    params=st.dictionaries(form_text, form_text, max_size=6),
    signed_url=signed_urls,
    token=st.sampled_from([AUTH_TOKEN, "another-token"]),
    signed_with=st.sampled_from(["HMAC_SHA1", "HMAC_SHA256"]),
    settings_header=signature_settings,
    tamper=st.one_of(st.none(), form_text),
    forged=forgeries,
)
def test_a_signed_form_is_accepted_exactly_when_twilios_validator_accepts_it(
    webhook: tuple[TestClient, SmsChannel],
    public_url: str,
    path: str,
    query: str,
    params: dict[str, str],
    signed_url: str,
    token: str,
    signed_with: str,
    settings_header: str | None,
    tamper: str | None,
    forged: str | None,
) -> None:
    url = public_url + path + query
    signer = _signer(url, signed_url)
    signature = forged or RequestValidator(token).compute_signature(signer, params, signed_with)
    received = dict(params)
    if tamper is not None:
        received["Body"] = tamper

    algorithm = get_signature_algorithm(settings_header)
    expected = bool(signature) and RequestValidator(AUTH_TOKEN).validate(
        url, received, signature, algorithm
    )

    headers = {"X-Twilio-Signature": signature}
    refused = _refused(webhook, public_url, path + query, headers, settings_header, data=received)
    assert refused is not expected


@WEBHOOK
@given(
    public_url=public_urls,
    path=paths,
    query=queries,
    fields=st.dictionaries(form_text, form_text, max_size=6),
    hashed=st.sampled_from(["this body", "another body", "no hash"]),
    signed_url=signed_urls,
    token=st.sampled_from([AUTH_TOKEN, "another-token"]),
    signed_with=st.sampled_from(["HMAC_SHA1", "HMAC_SHA256"]),
    settings_header=signature_settings,
    tamper=st.one_of(st.none(), form_text),
    forged=forgeries,
)
def test_a_signed_json_body_is_accepted_exactly_when_twilios_validator_accepts_it(
    webhook: tuple[TestClient, SmsChannel],
    public_url: str,
    path: str,
    query: str,
    fields: dict[str, str],
    hashed: str,
    signed_url: str,
    token: str,
    signed_with: str,
    settings_header: str | None,
    tamper: str | None,
    forged: str | None,
) -> None:
    body = json.dumps(fields)
    digest = hashlib.sha256((body if hashed == "this body" else body + " ").encode()).hexdigest()
    if hashed != "no hash":
        query += ("&" if query else "?") + urlencode({"bodySHA256": digest})
    url = public_url + path + query
    # Twilio signs the URL alone: the body is in it by its hash.
    signer = _signer(url, signed_url)
    signature = forged or RequestValidator(token).compute_signature(signer, {}, signed_with)
    received = body if tamper is None else body + tamper

    algorithm = get_signature_algorithm(settings_header)
    signed: str | dict[str, str] = received if hashed != "no hash" else {}
    expected = bool(signature) and RequestValidator(AUTH_TOKEN).validate(
        url, signed, signature, algorithm
    )

    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/json"}
    refused = _refused(
        webhook, public_url, path + query, headers, settings_header, content=received.encode()
    )
    assert refused is not expected


@given(
    st.one_of(
        st.dictionaries(form_text, form_text, max_size=6).map(urlencode),
        st.text(alphabet="ab=&+%2F0c\u00e6 ", max_size=30),
        st.text(max_size=30),
    )
)
def test_the_form_is_read_as_parse_qsl_reads_it(body: str) -> None:
    assert parse_form(body) == dict(parse_qsl(body, keep_blank_values=True))
