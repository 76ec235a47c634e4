"""The web chat API and page, including everything a broken client can send."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.kernel.messages import Channel, OutboundMessage
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation, Direction, Message, MessageStatus, Sender
from bot.web.http_errors import install_error_handlers
from integrations.webchat import (
    SESSION_PATTERN,
    ChatMessageIn,
    ChatRepliesOut,
    ReplyOut,
    read_chat_message,
    replies_json,
)

SESSION = "websession-0001"


def _post(client: TestClient, body: object) -> tuple[int, dict[str, object]]:
    response = client.post("/api/chat/messages", json=body)
    return response.status_code, response.json()


def test_a_message_gets_replies_in_the_documented_shape(client: TestClient) -> None:
    status, body = _post(client, {"session": SESSION, "text": "hej"})
    assert status == 200
    replies = body["replies"]
    assert isinstance(replies, list)
    assert set(replies[0]) >= {"text", "choices"}
    assert isinstance(replies[0]["choices"], list)


def test_the_chat_page_is_served_in_danish_and_english(client: TestClient) -> None:
    page = client.get("/chat")
    assert page.status_code == 200
    assert 'lang="da"' in page.text
    assert "viewport" in page.text
    assert 'lang="en"' in client.get("/chat?lang=en").text
    assert client.get("/static/chat.js").status_code == 200


def test_the_chat_page_says_a_chatbot_answers_before_anything_is_written(
    client: TestClient,
) -> None:
    assert "Du skriver med jobcentrets chatbot" in client.get("/chat").text
    assert "the jobcentre's chatbot" in client.get("/chat?lang=en").text.replace("&#39;", "'")


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


def test_a_wrong_method_is_a_405_that_says_which_methods_are_allowed(
    client: TestClient,
) -> None:
    response = client.put("/api/chat/messages", json={"session": SESSION, "text": "hej"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["allow"]


def test_invalid_json_is_a_400_with_a_clear_error(client: TestClient, services: Services) -> None:
    response = client.post(
        "/api/chat/messages",
        content=b'{"session": "x',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert _messages(services) == 0


def test_missing_and_wrong_typed_fields_are_named(client: TestClient) -> None:
    status, body = _post(client, {"session": SESSION})
    assert status == 422
    assert body["error"]["fields"][0]["field"] == "text"  # type: ignore[index]
    status, body = _post(client, {"session": SESSION, "text": 42})
    assert status == 422
    status, body = _post(client, {"session": "short", "text": "hej"})
    assert status == 422
    status, body = _post(client, ["not", "an", "object"])
    assert status == 422


def test_empty_and_too_long_text_are_refused_and_nothing_is_stored(
    client: TestClient, services: Services
) -> None:
    status, body = _post(client, {"session": SESSION, "text": "  \x00 "})
    assert status == 422
    assert body["error"]["code"] == "empty_text"  # type: ignore[index]
    status, body = _post(client, {"session": SESSION, "text": "a" * 4097})
    assert status == 422
    assert body["error"]["code"] == "text_too_long"  # type: ignore[index]
    assert _messages(services) == 0


def test_a_body_over_the_limit_is_a_413(client: TestClient) -> None:
    response = client.post(
        "/api/chat/messages",
        content=b'{"session": "' + b"a" * 70_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_control_characters_are_stripped_before_storing(
    client: TestClient, services: Services
) -> None:
    status, _ = _post(client, {"session": SESSION, "text": "hej\x00\x1b med dig"})
    assert status == 200
    with transaction(services.session_factory) as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert inbound.text == "hej med dig"


def test_a_retried_post_with_the_same_message_id_is_answered_once(
    client: TestClient, services: Services
) -> None:
    body = {"session": SESSION, "text": "hej", "message_id": "c-1"}
    first = client.post("/api/chat/messages", json=body).json()
    again = client.post("/api/chat/messages", json=body).json()
    assert first == again
    assert _messages(services) == 2


def test_a_later_message_reaches_the_page_by_polling_once_delivered(
    client: TestClient, services: Services
) -> None:
    _post(client, {"session": SESSION, "text": "hej"})
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        session.add(
            Message(
                conversation_id=conversation.id,
                citizen_id=conversation.citizen_id,
                direction=Direction.OUT.value,
                sender=Sender.CONSULTANT.value,
                channel="web",
                address=SESSION,
                text="Hej, jeg hedder Mette.",
                status=MessageStatus.QUEUED.value,
            )
        )
    polled = client.get("/api/chat/messages", params={"session": SESSION}).json()
    assert [r["text"] for r in polled["replies"]] == ["Hej, jeg hedder Mette."]
    with transaction(services.session_factory) as session:
        row = session.scalars(select(Message).where(Message.sender == "consultant")).one()
        assert row.status == MessageStatus.DELIVERED
    last = polled["replies"][0]["id"]
    assert client.get("/api/chat/messages", params={"session": SESSION, "after": last}).json() == {
        "replies": []
    }


def test_unknown_paths_answer_json_404(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _messages(services: Services) -> int:
    with transaction(services.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


# --- The POST body, read without FastAPI's parameter machinery: the same answers -----------


def _reading_app(read_by_hand: bool) -> TestClient:
    """An app answering with the body it read: through a ``ChatMessageIn`` parameter, as the
    endpoint was declared before, or by hand, as it is now; the same error handlers."""
    app = FastAPI()
    install_error_handlers(app)
    if read_by_hand:

        @app.post("/read")
        async def by_hand(request: Request) -> Response:
            body = read_chat_message(await request.body(), request.headers.get("content-type"))
            return _echo(body.model_dump())

    else:

        @app.post("/read")
        async def by_fastapi(body: ChatMessageIn) -> Response:
            return _echo(body.model_dump())

    return TestClient(app)


def _echo(fields: dict[str, object]) -> Response:
    # ASCII JSON: a text may hold a lone surrogate (accepted, and cleaned later by the pipeline).
    return Response(json.dumps(fields), media_type="application/json")


BY_FASTAPI = _reading_app(read_by_hand=False)
BY_HAND = _reading_app(read_by_hand=True)


Answer = tuple[int, object]


def _both_read(body: bytes, content_type: str | None) -> tuple[Answer, Answer]:
    headers = {"content-type": content_type} if content_type is not None else {}
    answers: list[Answer] = []
    for client in (BY_FASTAPI, BY_HAND):
        response = client.post("/read", content=body, headers=headers)
        answers.append((response.status_code, response.json()))
    return answers[0], answers[1]


MALFORMED = [
    (b"", "application/json"),
    (b"", None),
    (b'{"session": "websession-0001", "text": "hej"}', None),
    (b'{"session": "websession-0001", "text": "hej"}', "text/plain"),
    (b'{"session": "websession-0001", "text": "hej"', "application/json"),
    (b"\xff\xfe{}", "application/json"),  # not UTF-8
    (b"[" * 5000, "application/json"),  # too deep for Python's parser
    (b"null", "application/json"),
    (b"NaN", "application/json"),
    (b'["not", "an", "object"]', "application/json"),
    (b"{}", "application/json"),
    (b'{"session": "websession-0001"}', "application/json"),
    (b'{"session": 1, "text": 2, "message_id": 3}', "application/json"),
    (b'{"session": "short", "text": "hej"}', "application/json"),
    (b'{"session": "websession-0001\\n", "text": "hej"}', "application/json"),
    (b'{"session": "websession-\xc3\xa6\xc3\xb8", "text": "hej"}', "application/json"),
    (b'{"session": "' + b"s" * 129 + b'", "text": "hej"}', "application/json"),
    (b'{"session": "websession-0001", "text": null}', "application/json"),
    (b'{"session": "websession-0001", "text": ["hej"]}', "application/json"),
    (b'{"session": "websession-0001", "text": "hej", "message_id": 7}', "application/json"),
    (
        b'{"session": "websession-0001", "text": "hej", "message_id": "' + b"m" * 101 + b'"}',
        "application/json",
    ),
    (b'{"session": "websession-0001", "text": "hej", "message_id": "\\ud800"}', "application/json"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_a_malformed_body_gets_the_answer_fastapi_gave(
    body: bytes, content_type: str | None
) -> None:
    by_fastapi, by_hand = _both_read(body, content_type)
    assert by_hand == by_fastapi
    assert by_hand[0] in (400, 422)


WELL_FORMED = [
    (b'{"session": "websession-0001", "text": "hej"}', "application/json"),
    (b'{"session": "websession-0001", "text": "hej"}', "application/json; charset=utf-8"),
    (b'{"session": "websession-0001", "text": "hej"}', "Application/JSON"),
    (b'{"session": "websession-0001", "text": "hej"}', "application/vnd.borgerchat+json"),
    (b'{"session": "' + b"s" * 128 + b'", "text": "", "message_id": null}', "application/json"),
    (b'{"session": "web_SESSION-01", "text": "\\ud800 x", "extra": [1]}', "application/json"),
    (b'{"session": "websession-0001", "text": "hej", "message_id": ""}', "application/json"),
    (
        b'{"session": "websession-0001", "text": "hej", "message_id": "' + b"m" * 100 + b'"}',
        "application/json",
    ),
    (
        '{"session": "websession-0001", "text": "hej", "message_id": "æøå"}'.encode(),
        "application/json",
    ),
    (b'{"session": "websession-0001", "text": "a", "session": "websession-0002"}', None),
]


@pytest.mark.parametrize(("body", "content_type"), WELL_FORMED)
def test_a_well_formed_body_is_read_as_fastapi_read_it(
    body: bytes, content_type: str | None
) -> None:
    by_fastapi, by_hand = _both_read(body, content_type)
    assert by_hand == by_fastapi


chat_fields = st.one_of(
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=2),
    st.text(max_size=12),
    st.from_regex(r"[A-Za-z0-9_-]{6,10}", fullmatch=True),
    st.text(alphabet="ab-_\n\u00e6", min_size=7, max_size=9),
    st.text(min_size=98, max_size=102),
    st.text(alphabet="m", min_size=98, max_size=102),
)
chat_bodies = st.one_of(
    st.dictionaries(
        st.sampled_from(["session", "text", "message_id", "other"]), chat_fields, max_size=4
    ),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda children: st.lists(children, max_size=3),
        max_leaves=5,
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    body=chat_bodies,
    ascii_only=st.booleans(),
    content_type=st.sampled_from(
        [None, "application/json", "text/plain", "application/ld+json; charset=utf-8"]
    ),
)
def test_any_json_body_is_answered_as_fastapi_answered_it(
    body: object, ascii_only: bool, content_type: str | None
) -> None:
    encoded = json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    by_fastapi, by_hand = _both_read(encoded, content_type)
    assert by_hand == by_fastapi


@given(
    st.lists(
        st.builds(
            lambda number, text, choices: OutboundMessage(
                id=number, channel=Channel.WEB, address=SESSION, text=text, choices=tuple(choices)
            ),
            st.integers(min_value=1),
            st.text(alphabet=st.characters(exclude_categories=("Cs",))),
            st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs",))), max_size=3),
        ),
        max_size=3,
    )
)
def test_the_replies_are_the_json_the_response_model_wrote(
    replies: list[OutboundMessage],
) -> None:
    model = ChatRepliesOut(
        replies=[ReplyOut(id=r.id, text=r.text, choices=list(r.choices)) for r in replies]
    )
    assert replies_json(replies) == model.model_dump_json().encode()


def test_the_openapi_document_describes_the_message_post(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    post = document["paths"]["/api/chat/messages"]["post"]
    body_schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["title"] == "ChatMessageIn"
    assert body_schema["required"] == ["session", "text"]
    fields = body_schema["properties"]
    assert fields["session"] == {"pattern": SESSION_PATTERN, "title": "Session", "type": "string"}
    assert fields["text"] == {"minLength": 1, "title": "Text", "type": "string"}
    assert {"maxLength": 100, "type": "string"} in fields["message_id"]["anyOf"]
    assert post["requestBody"]["required"] is True
    ok = post["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ChatRepliesOut"}
    for status in ("400", "413", "422"):
        error = post["responses"][status]["content"]["application/json"]["schema"]
        assert error["title"] == "ErrorOut"
        assert error["required"] == ["error"]
