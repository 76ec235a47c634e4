"""The live web chat's API: the conversation so far for a reloaded page, the poll and the
stream's token, all with the key in a POST body only; a forged, expired or ended token opens
no stream; an ended key gets nothing of the conversation again. The inbox's stream takes only
the inbox's own fragments, and only for a consultant logged in."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from integrations.webchat_live import TOKEN_SECONDS, make_token, read_token
from tests.bot.inbox.conftest import (  # noqa: F401 (fixtures)
    InboxClient,
    MakeConsultant,
    app_config,
    cheap_password_hashes,
    inbox,
    inbox_factory,
    make_consultant,
)
from tests.integrations.test_webchat_sessions import _consultant_answers

KEY = "reloaded-page-session-01"
SECRET = b"test-secret-key-for-the-inbox-0123456789"


def _say(client: TestClient, text: str, key: str = KEY) -> None:
    assert client.post("/api/chat/messages", json={"session": key, "text": text}).status_code == 200


def test_a_reloaded_page_gets_the_whole_conversation_both_ways(
    client: TestClient, services: object
) -> None:
    _say(client, "jeg vil gerne tale med et menneske")
    _consultant_answers(services, "Hej, det er Mette.", key=KEY)  # type: ignore[arg-type]
    answer = client.post("/api/chat/history", json={"session": KEY})
    assert answer.status_code == 200
    messages = answer.json()["messages"]
    senders = [message["sender"] for message in messages]
    assert senders[0] == "citizen"
    assert messages[0]["text"] == "jeg vil gerne tale med et menneske"
    assert "bot" in senders
    assert senders[-1] == "consultant"
    assert messages[-1]["text"] == "Hej, det er Mette."


def test_a_key_never_used_has_no_history_and_no_stream(client: TestClient) -> None:
    assert client.post("/api/chat/history", json={"session": "never-used-key-01"}).json() == {
        "messages": []
    }
    answer = client.post("/api/chat/events-token", json={"session": "never-used-key-01"})
    assert answer.json() == {"token": None}


def test_an_ended_key_gets_neither_history_nor_token_nor_poll(client: TestClient) -> None:
    _say(client, "hej")
    assert client.post("/api/chat/session/end", json={"session": KEY}).status_code == 200
    for path in ("/api/chat/history", "/api/chat/events-token", "/api/chat/later"):
        answer = client.post(path, json={"session": KEY})
        assert answer.status_code == 410, path
        assert answer.json()["error"]["code"] == "session_ended"
        assert answer.json()["session"] != KEY


def test_the_poll_by_post_delivers_a_consultants_answer_once(
    client: TestClient, services: object
) -> None:
    _say(client, "jeg vil gerne tale med et menneske")
    _consultant_answers(services, "Hej, det er Mette.", key=KEY)  # type: ignore[arg-type]
    first = client.post("/api/chat/later", json={"session": KEY}).json()["replies"]
    assert [(r["text"], r["sender"]) for r in first] == [("Hej, det er Mette.", "consultant")]
    again = client.post("/api/chat/later", json={"session": KEY, "after": first[0]["id"]})
    assert again.json()["replies"] == []


def test_the_stream_token_names_the_session_row_not_the_key_and_expires(
    client: TestClient,
) -> None:
    _say(client, "hej")
    token = client.post("/api/chat/events-token", json={"session": KEY}).json()["token"]
    assert token
    assert KEY not in token
    now = time.time()
    assert read_token(SECRET, token, now) is not None
    assert read_token(SECRET, token, now + TOKEN_SECONDS + 1) is None
    assert read_token(b"another key", token, now) is None
    row_id = read_token(SECRET, token, now)
    assert row_id is not None
    forged = make_token(SECRET, row_id + 1, now).rsplit(".", 1)[0] + "." + token.rsplit(".")[-1]
    assert read_token(SECRET, forged, now) is None


def test_a_bad_token_opens_no_stream(client: TestClient) -> None:
    for token in ("1.1.abc", "not-a-token", make_token(b"another key", 1, time.time())):
        assert client.get("/api/chat/events", params={"token": token}).status_code == 204


def test_the_inbox_stream_is_for_consultants_and_the_inbox_fragments_only(
    inbox: InboxClient,  # noqa: F811 (the fixture)
    make_consultant: MakeConsultant,  # noqa: F811
) -> None:
    answer = inbox.get("/inbox/live")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/inbox/login"
    make_consultant("anna")
    inbox.login("anna")
    for fragment in ("/chat", "https://example.org/inbox/x.fragment", "/inbox/../api/x.fragment"):
        assert inbox.get(f"/inbox/live?fragment={fragment}").status_code == 400, fragment
