"""Arbitrary input through the web chat and the dispatcher: never a 500, never a crash, and the
conversation stays usable afterwards."""

from __future__ import annotations

import itertools
import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.kernel.errors import InvalidMessage
from bot.kernel.messages import Channel, InboundMessage
from bot.pipeline.port import Delivery
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import ChannelIdentity, Conversation, ConversationStatus

_sessions = itertools.count()
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"])),
    st.text(min_size=4000, max_size=5000),
    st.sampled_from(["", " ", "\x00", "\u202e", "🙂" * 100, "æøå" * 2000, "010190-1234"]),
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def _session() -> str:
    return f"fuzz-session-{next(_sessions):06d}"


@FUZZ
@given(text=texts)
def test_any_text_gets_a_reply_or_a_clear_4xx_and_the_chat_goes_on(
    client: TestClient, services: Services, text: str
) -> None:
    session = _session()
    response = client.post("/api/chat/messages", json={"session": session, "text": text})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        # Empty text is refused by the schema (invalid_request), blank text after cleaning.
        assert response.json()["error"]["code"] in (
            "invalid_request",
            "empty_text",
            "text_too_long",
        )
    after = client.post("/api/chat/messages", json={"session": session, "text": "hej"})
    assert after.status_code == 200
    # Either the bot answers, or the conversation waits for a person (the bot is silent by
    # design then, and the message is stored for the consultant).
    assert after.json()["replies"] or _waiting_for_a_person(services, session)


def _waiting_for_a_person(services: Services, session: str) -> bool:
    with transaction(services.session_factory) as db:
        status = db.scalar(
            select(Conversation.status)
            .join(ChannelIdentity, ChannelIdentity.citizen_id == Conversation.citizen_id)
            .where(ChannelIdentity.address == session)
            .order_by(Conversation.id.desc())
            .limit(1)
        )
    return status in (ConversationStatus.WAITING, ConversationStatus.CONSULTANT)


@FUZZ
@given(body=json_values)
def test_any_json_body_is_answered_without_a_500(client: TestClient, body: object) -> None:
    response = client.post("/api/chat/messages", json=body)
    assert response.status_code in (200, 422), response.text
    assert "error" in response.json() or "replies" in response.json()


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_any_bytes_are_answered_without_a_500(client: TestClient, raw: bytes) -> None:
    response = client.post(
        "/api/chat/messages", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 400, 422), response.text
    json.loads(response.text)


@FUZZ
@given(
    text=texts,
    address=st.one_of(st.text(max_size=300), st.from_regex(r"\+45[0-9]{8}", fullmatch=True)),
)
def test_the_dispatcher_never_raises_anything_but_invalid_message(
    services: Services, text: str, address: str
) -> None:
    inbound = InboundMessage(Channel.SMS, address, text, channel_message_id=_session())
    try:
        result = services.dispatcher.handle(inbound, delivery=Delivery.OUTBOX)
    except InvalidMessage:
        return
    assert result.inbound_id > 0
