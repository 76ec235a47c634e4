"""A CPR number sent on any channel appears nowhere: not in any table, not in the logs, not in
what the bot sends back."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import bot.store.models
from bot.services import Services
from bot.store.db import transaction
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integrations.conftest import PUBLIC_URL, sign, wait_until
from tests.integrations.test_telegram import post, update
from tests.integrations.twilio.test_inbound import sms_params

CPR_WITH_DASH = "280788-3917"
CPR_DIGITS = ("280788", "3917")


def _everything_stored(services: Services) -> str:
    """Every value of every row of every table, as one text to search."""
    parts: list[str] = []
    with transaction(services.session_factory) as session:
        for table in bot.store.models.Base.metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                parts.extend(repr(value) for value in row)
    return "\n".join(parts)


def _assert_no_cpr(text: str, written: str) -> None:
    assert written not in text
    for digits in CPR_DIGITS:
        assert digits not in text


@pytest.mark.parametrize(
    "written",
    [
        CPR_WITH_DASH,
        CPR_WITH_DASH.replace("-", ""),
        "CPR-2807883917",
        "2807883917-",
        "280788\u20133917",  # en dash
        "280788/3917",
        "28.07.88-3917",
        "2807 88 3917",
        "280788 - 3917",
        "28078\u00ad8\u200b3917",  # soft hyphen and zero-width space inside
        "280788\u00a03917",  # no-break space
    ],
)
def test_a_cpr_number_on_every_channel_is_never_stored_logged_or_echoed(
    channel_client: TestClient,
    channel_services: Services,
    fake_telegram: FakeTelegramApi,
    caplog: pytest.LogCaptureFixture,
    written: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    text = f"hej mit cpr nummer er {written}, jeg er syg"

    web = channel_client.post(
        "/api/chat/messages", json={"session": "cpr-web-session", "text": text}
    )
    assert web.status_code == 200
    web_replies = " ".join(reply["text"] for reply in web.json()["replies"])
    assert "CPR" in web_replies

    params = sms_params(text)
    signature = sign(PUBLIC_URL + "/webhooks/twilio/sms", params)
    sms = channel_client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert sms.status_code == 200
    assert "CPR" in sms.text

    assert post(channel_client, update(text=text)) == 200
    wait_until(lambda: any("CPR" in str(call) for call in fake_telegram.calls))

    for seen in (
        _everything_stored(channel_services),
        caplog.text,
        web.text,
        sms.text,
        repr(fake_telegram.calls),
    ):
        _assert_no_cpr(seen, written)
