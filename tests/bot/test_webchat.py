"""The web chat API and page, including everything a broken client can send."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.db import transaction
from bot.models import Conversation, Direction, Message, MessageStatus, Sender
from bot.services import Services

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


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


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
