"""Arbitrary input through both webhooks, correctly authenticated: never a 500, and the
channel keeps answering afterwards."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integrations.conftest import PUBLIC_URL, WEBHOOK_SECRET, sign
from tests.integrations.test_telegram import update
from tests.integrations.twilio.test_inbound import sms_params

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_numbers = itertools.count(10_000_000)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
texts = st.one_of(
    st.text(), st.text(min_size=1500, max_size=5000), st.sampled_from(["", "\x00", "\u202e"])
)


def _telegram(client: TestClient, body: Any) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    return client.post("/webhooks/telegram", json=body, headers=headers).status_code


@FUZZ
@given(body=json_values)
def test_any_json_with_the_telegram_secret_is_answered_without_a_500(
    channel_client: TestClient, body: Any
) -> None:
    assert _telegram(channel_client, body) < 500


@FUZZ
@given(text=texts)
def test_any_telegram_text_is_taken_and_the_chat_goes_on(
    channel_client: TestClient, text: str
) -> None:
    chat = next(_numbers)
    assert _telegram(channel_client, update(chat, text=text)) < 500
    assert _telegram(channel_client, update(chat, text="hej")) == 200


@FUZZ
@given(
    body=texts,
    sender=st.one_of(st.text(max_size=30), st.from_regex(r"\+45[0-9]{8}", fullmatch=True)),
    extra=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=50), max_size=3),
)
def test_any_signed_sms_form_is_answered_without_a_500(
    channel_client: TestClient, body: str, sender: str, extra: dict[str, str]
) -> None:
    params = {**extra, **sms_params(body, sender=sender)}
    # Form fields travel as text: NUL and lone surrogates cannot be sent by Twilio either.
    params = {k: v.encode("utf-8", "ignore").decode() for k, v in params.items()}
    signature = sign(PUBLIC_URL + "/webhooks/twilio/sms", params)
    response = channel_client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code < 500, response.text
