"""Every input the security review found giving a 500, and generated hostile ids, numbers,
strings and dates per route family: a clear 4xx (or a plain answer), never a 5xx, and one log
line for a refusal, not a traceback. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL),
whose 32-bit ids and 100-character columns refuse what SQLite would take."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kernel.bounds import ROW_ID_MAX
from bot.services import Services
from bot.store.models import Citizen, Message
from tests.integrations.conftest import PUBLIC_URL, WEBHOOK_SECRET, count_rows, sign
from tests.integrations.test_telegram import update, user
from tests.integrations.twilio.test_inbound import sms_params
from tests.integrations.twilio.test_status import status_params

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HOSTILE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Numbers around every limit a column or a parser has.
hostile_ints = st.one_of(
    st.sampled_from(
        [0, -1, ROW_ID_MAX, ROW_ID_MAX + 1, 2**31, 2**53, 2**63 - 1, 2**63, 2**64, 10**30]
    ),
    st.integers(),
)
hostile_strings = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "9" * 40, "-1", "1e9", "0x10", "٣", "1 ", "NaN"]),
    st.text(min_size=99, max_size=130, alphabet="abcXYZ019-_"),
)
hostile_dates = st.one_of(
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "10000-01-01", "2026-13-01"]),
    st.dates().map(str),
    st.text(max_size=30),
)


def _telegram(client: TestClient, body: Any) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/json"
        return client.post("/webhooks/telegram", content=body, headers=headers).status_code
    return client.post("/webhooks/telegram", json=body, headers=headers).status_code


def _sms(client: TestClient, params: dict[str, str]) -> int:
    signature = sign(PUBLIC_URL + "/webhooks/twilio/sms", params)
    response = client.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    return response.status_code


def _status(client: TestClient, outbox_id: str, params: dict[str, str]) -> int:
    url = f"{PUBLIC_URL}/webhooks/twilio/status?outbox_id={quote(outbox_id, safe='')}"
    response = client.post(
        url.removeprefix(PUBLIC_URL), data=params, headers={"X-Twilio-Signature": sign(url, params)}
    )
    return response.status_code


def _callback(data: str, chat_id: int = 5550001) -> dict[str, Any]:
    return {
        "update_id": 777001,
        "callback_query": {
            "id": "cb1",
            "from": user(chat_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": 3,
                "date": 1795421520,
                "chat": {"id": chat_id, "type": "private", "first_name": "Aisha"},
            },
        },
    }


# The review's findings, one by one ------------------------------------------------------------


@pytest.mark.parametrize("after", [str(2**31), str(2**63), "99999999999999999999999"])
def test_a_poll_after_an_id_beyond_any_column_is_a_422(
    channel_client: TestClient, after: str
) -> None:
    response = channel_client.get(f"/api/chat/messages?session=session-0001&after={after}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_a_web_message_id_of_up_to_100_characters_is_kept_and_a_longer_one_refused(
    channel_client: TestClient,
) -> None:
    session = "s" * 128  # the longest session with the longest id still fits the column
    body = {"session": session, "text": "hej", "message_id": "m" * 100}
    first = channel_client.post("/api/chat/messages", json=body)
    again = channel_client.post("/api/chat/messages", json=body)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()  # the retry is answered once, from the stored reply

    too_long = channel_client.post("/api/chat/messages", json={**body, "message_id": "m" * 101})
    assert too_long.status_code == 422


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
def test_an_nlu_reference_time_out_of_range_is_a_422(channel_client: TestClient, now: str) -> None:
    response = channel_client.post("/nlu/parse", json={"text": "i morgen kl 10", "now": now})
    assert response.status_code == 422


def test_a_callback_naming_a_message_id_beyond_any_column_is_ignored(
    channel_client: TestClient, channel_services: Services
) -> None:
    assert _telegram(channel_client, _callback(f"c:{2**31}:0")) == 200
    assert _telegram(channel_client, _callback(f"c:{'9' * 30}:{'9' * 30}")) == 200
    assert _telegram(channel_client, _callback("c:1:" + "9" * 70)) == 400  # over 64
    assert count_rows(channel_services, Message) == 0


def test_telegram_updates_of_the_wrong_shape_are_a_400_and_store_nothing(
    channel_client: TestClient, channel_services: Services
) -> None:
    without_chat = update(text="hej")
    del without_chat["message"]["chat"]
    object_text = update(text={"bold": "hej"})
    huge_chat = update(2**70, text="hej")
    callback_without_sender = _callback("c:1:0")
    del callback_without_sender["callback_query"]["from"]
    for body in (without_chat, object_text, huge_chat, callback_without_sender):
        assert _telegram(channel_client, body) == 400, body
    assert count_rows(channel_services, Citizen) == 0


@pytest.mark.parametrize("depth", [20_000, 33])
def test_json_nested_deeper_than_the_limit_is_a_400_before_it_is_parsed(
    channel_client: TestClient, depth: int
) -> None:
    deep = b"[" * depth + b"]" * depth
    assert _telegram(channel_client, deep) == 400
    nested_update = json.dumps(update(text="hej"))[:-1] + ', "x": ' + "[" * depth + "]" * depth
    assert _telegram(channel_client, (nested_update + "}").encode()) == 400
    body = {"session": "session-0001", "text": "hej"}
    web = channel_client.post(
        "/api/chat/messages",
        content=json.dumps(body)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}",
        headers={"Content-Type": "application/json"},
    )
    assert web.status_code == 400
    nlu = channel_client.post(
        "/nlu/parse",
        content=b'{"text": "hej", "x": ' + deep + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert nlu.status_code == 400


def test_brackets_inside_strings_are_no_nesting(channel_client: TestClient) -> None:
    body = {"session": "session-0002", "text": "[[[{{{" * 20}
    assert channel_client.post("/api/chat/messages", json=body).status_code == 200


@pytest.mark.parametrize("outbox_id", [str(2**31), "9" * 400, "-1", "1.5"])
def test_a_status_callback_for_an_outbox_id_beyond_any_column_is_a_400(
    channel_client: TestClient, outbox_id: str
) -> None:
    assert _status(channel_client, outbox_id, status_params("SM" + "0" * 32, "delivered")) == 400


def test_a_status_callback_with_a_long_sid_or_error_code_is_a_400(
    channel_client: TestClient,
) -> None:
    assert _status(channel_client, "1", status_params("SM" + "0" * 200, "delivered")) == 400
    assert _status(channel_client, "1", status_params("SM1", "failed", "3" * 600)) == 400


def test_an_sms_with_a_message_sid_longer_than_the_column_is_a_400(
    channel_client: TestClient, channel_services: Services
) -> None:
    assert _sms(channel_client, sms_params("hej", sid="SM" + "a" * 200)) == 400
    assert count_rows(channel_services, Citizen) == 0


def test_a_refusal_logs_one_line_and_no_traceback(
    channel_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    without_chat = update(text="hej")
    del without_chat["message"]["chat"]
    with caplog.at_level(logging.INFO):
        channel_client.get(f"/api/chat/messages?session=session-0001&after={2**63}")
        _telegram(channel_client, without_chat)
        _status(channel_client, str(2**31), status_params("SM1", "delivered"))
    ours = [r for r in caplog.records if r.name.startswith(("bot.", "integrations."))]
    assert [r.getMessage() for r in ours] == [
        "answered GET /api/chat/messages with 422 invalid_request",
        "answered POST /webhooks/telegram with 400 http_error",
        "answered POST /webhooks/twilio/status with 400 http_error",
    ]
    assert all(record.exc_info is None for record in caplog.records)


def test_options_names_every_method_of_the_path(channel_client: TestClient) -> None:
    response = channel_client.options("/api/chat/messages")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, POST, OPTIONS"
    wrong = channel_client.put("/api/chat/messages")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"


# Generated hostile input, per route family ----------------------------------------------------


@HOSTILE
@given(after=hostile_ints, session=hostile_strings, message_id=hostile_strings)
def test_the_web_chat_api_never_answers_5xx(
    channel_client: TestClient, after: int, session: str, message_id: str
) -> None:
    poll = channel_client.get("/api/chat/messages", params={"session": session, "after": after})
    assert poll.status_code < 500
    body = {"session": "hostile-session", "text": "hej", "message_id": message_id}
    assert channel_client.post("/api/chat/messages", json=body).status_code < 500


@HOSTILE
@given(now=st.one_of(st.datetimes().map(lambda d: d.isoformat() + "+00:00"), hostile_dates))
def test_the_nlu_api_never_answers_5xx(channel_client: TestClient, now: str) -> None:
    response = channel_client.post(
        "/nlu/parse", json={"text": "kan jeg komme i morgen", "now": now}
    )
    assert response.status_code < 500


@HOSTILE
@given(
    update_id=hostile_ints,
    chat_id=hostile_ints,
    text=st.one_of(hostile_strings, st.integers(), st.none(), st.lists(st.text(), max_size=2)),
    data=st.one_of(
        hostile_strings, hostile_ints.map(lambda n: f"c:{abs(n)}:{abs(n) % 1000}"), st.none()
    ),
)
def test_the_telegram_webhook_never_answers_5xx(
    channel_client: TestClient, update_id: int, chat_id: int, text: Any, data: str | None
) -> None:
    message = update(chat_id, update_id=update_id, text=text)
    assert _telegram(channel_client, message) < 500
    pressed = _callback(data, chat_id) if data is not None else _callback("c:1:0", chat_id)
    pressed["update_id"] = update_id
    assert _telegram(channel_client, pressed) < 500


@HOSTILE
@given(
    sid=hostile_strings,
    outbox_id=st.one_of(hostile_strings, hostile_ints.map(str)),
    status=st.one_of(st.sampled_from(["delivered", "failed", "sent"]), hostile_strings),
    error=hostile_strings,
    media=hostile_strings,
)
def test_the_twilio_webhooks_never_answer_5xx(
    channel_client: TestClient, sid: str, outbox_id: str, status: str, error: str, media: str
) -> None:
    def form(params: dict[str, str]) -> dict[str, str]:
        # Form fields travel as text: NUL and lone surrogates cannot be sent by Twilio either.
        return {k: v.encode("utf-8", "ignore").decode() for k, v in params.items()}

    params = form({**sms_params("hej", sid=sid or None), "NumMedia": media})
    assert _sms(channel_client, params) < 500
    callback = form(status_params(sid, status, error))
    assert _status(channel_client, outbox_id, callback) < 500
