"""Web chat sessions end: after the idle time, or when the citizen presses "Afslut samtale".

The story behind them (issue 19): on a shared library PC, the next person opened the chat with
the key the browser had kept, saw the consultant's reply, and "hvornår er mit møde" gave the
first citizen's booking. An ended key now gets nothing of the conversation, ever.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    ChannelIdentity,
    Citizen,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    Sender,
    WebSession,
)
from tests.conftest import REFERENCE_TIME
from tests.scheduling_data import make_booking

KEY = "library-pc-session-0001"
CONSULTANT_REPLY = "Hej, det er Mette. Din sag om praktik er i orden."
IDLE = timedelta(minutes=30)  # webchat.session_idle_minutes, shipped default


def _say(client: TestClient, text: str, key: str = KEY) -> tuple[int, dict[str, object]]:
    response = client.post("/api/chat/messages", json={"session": key, "text": text})
    return response.status_code, response.json()


def _poll(client: TestClient, key: str = KEY, after: int = 0) -> tuple[int, dict[str, object]]:
    response = client.get("/api/chat/messages", params={"session": key, "after": after})
    return response.status_code, response.json()


def _end(client: TestClient, key: str = KEY) -> int:
    return client.post("/api/chat/session/end", json={"session": key}).status_code


def _later(clock: FixedClock, delta: timedelta) -> None:
    clock.set(clock.now() + delta)


def _consultant_answers(services: Services, text: str = CONSULTANT_REPLY, key: str = KEY) -> None:
    with transaction(services.session_factory) as db:
        conversation = db.scalars(select(Conversation)).one()
        db.add(
            Message(
                conversation_id=conversation.id,
                citizen_id=conversation.citizen_id,
                direction=Direction.OUT.value,
                sender=Sender.CONSULTANT.value,
                channel=Channel.WEB.value,
                address=key,
                text=text,
                status=MessageStatus.QUEUED.value,
                created_at=services.clock.now(),
            )
        )


def _book_a_meeting(services: Services) -> None:
    with transaction(services.session_factory) as db:
        citizen = db.scalars(select(Citizen)).one()
        make_booking(
            db,
            citizen,
            REFERENCE_TIME + timedelta(days=2, hours=2),
            booked_via="web",
            now=services.clock.now(),
        )


def _texts(body: dict[str, object]) -> str:
    replies = body.get("replies") or []
    assert isinstance(replies, list)
    return "\n".join(str(reply["text"]) for reply in replies)


def _web_identities(services: Services, key: str = KEY) -> int:
    with transaction(services.session_factory) as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(ChannelIdentity)
                .where(ChannelIdentity.channel == "web", ChannelIdentity.address == key)
            )
            or 0
        )


def _assert_ended(status: int, body: dict[str, object]) -> None:
    assert status == 410
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "session_ended"
    # A fresh key to go on with, never the old one.
    assert isinstance(body["session"], str)
    assert body["session"] != KEY
    assert "replies" not in body


def test_the_next_person_at_a_shared_pc_gets_nothing_once_the_session_was_idle(
    client: TestClient, services: Services, clock: FixedClock
) -> None:
    assert _say(client, "jeg vil gerne tale med et menneske")[0] == 200
    _book_a_meeting(services)
    _consultant_answers(services)
    status, body = _poll(client)
    assert CONSULTANT_REPLY in _texts(body)  # the citizen read it

    _later(clock, IDLE + timedelta(minutes=1))
    # The next person's browser still holds the key: nothing of the conversation.
    status, body = _poll(client)
    _assert_ended(status, body)
    assert CONSULTANT_REPLY not in str(body)
    status, body = _say(client, "hvornår er mit møde")
    _assert_ended(status, body)
    # The old key names no one any more...
    assert _web_identities(services) == 0
    # ...and stays dead: later use of it is refused as well.
    _assert_ended(*_poll(client))


def test_a_new_key_after_the_end_is_a_new_citizen_without_the_old_ones_meeting(
    client: TestClient, services: Services, clock: FixedClock
) -> None:
    _say(client, "hej")
    _book_a_meeting(services)
    _later(clock, IDLE)
    status, body = _say(client, "hvornår er mit møde")
    _assert_ended(status, body)
    fresh = str(body["session"])
    status, body = _say(client, "hvornår er mit møde", key=fresh)
    assert status == 200
    answer = _texts(body)
    assert "ingen tid booket" in answer
    assert "Din næste tid" not in answer
    with transaction(services.session_factory) as db:
        assert db.scalar(select(func.count()).select_from(Citizen)) == 2


def test_a_session_in_use_does_not_end(
    client: TestClient, services: Services, clock: FixedClock
) -> None:
    _say(client, "hej")
    for _ in range(4):
        _later(clock, IDLE - timedelta(minutes=5))
        assert _say(client, "hvad er fleksjob")[0] == 200
    assert _poll(client)[0] == 200
    assert _web_identities(services) == 1


def test_empty_polls_of_a_page_left_open_are_not_activity(
    client: TestClient, clock: FixedClock
) -> None:
    _say(client, "hej")
    for _ in range(5):
        _later(clock, timedelta(minutes=7))
        status, _ = _poll(client)
    assert status == 410  # 35 minutes with nothing going on


def test_a_citizen_waiting_for_a_consultant_is_not_cut_off_while_the_page_polls(
    client: TestClient, services: Services, clock: FixedClock
) -> None:
    _say(client, "jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        status = db.scalars(select(Conversation.status)).one()
    assert status == ConversationStatus.WAITING
    for _ in range(6):  # an hour in the queue, the page polling
        _later(clock, timedelta(minutes=10))
        assert _poll(client)[0] == 200
    _consultant_answers(services)
    _later(clock, timedelta(minutes=10))
    assert CONSULTANT_REPLY in _texts(_poll(client)[1])


def test_afslut_ends_the_session_at_once_and_nothing_is_served_again(
    client: TestClient, services: Services
) -> None:
    _say(client, "jeg vil gerne tale med et menneske")
    _book_a_meeting(services)
    _consultant_answers(services)
    assert CONSULTANT_REPLY in _texts(_poll(client)[1])

    assert _end(client) == 200
    _assert_ended(*_poll(client))
    status, body = _say(client, "hvornår er mit møde")
    _assert_ended(status, body)
    assert _web_identities(services) == 0
    with transaction(services.session_factory) as db:
        row = db.scalars(select(WebSession).where(WebSession.key == KEY)).one()
        assert row.ended_at == services.clock.now()
        # The conversation itself stays for the consultants (and the retention rules).
        assert db.scalar(select(func.count()).select_from(Message)) > 0
    # Ending twice is fine.
    assert _end(client) == 200


def test_a_key_ended_before_it_was_used_can_never_start_a_conversation(
    client: TestClient, services: Services
) -> None:
    assert _end(client, "never-used-key-0001") == 200
    _assert_ended(*_say(client, "hej", key="never-used-key-0001"))
    with transaction(services.session_factory) as db:
        assert db.scalar(select(func.count()).select_from(Citizen)) == 0


def test_an_unknown_key_polls_nothing(client: TestClient) -> None:
    assert _poll(client, key="nobody-has-this-key") == (200, {"replies": []})


def test_a_key_whose_identity_moved_gets_none_of_the_earlier_holders_messages(
    client: TestClient, services: Services
) -> None:
    """Messages are served to the citizen the key names now, not by address alone."""
    _say(client, "hej")
    _consultant_answers(services)
    with transaction(services.session_factory) as db:
        db.execute(ChannelIdentity.__table__.delete())
    assert _poll(client) == (200, {"replies": []})


def test_the_idle_time_is_configurable(
    client: TestClient, services: Services, clock: FixedClock
) -> None:
    assert services.config.settings.webchat.session_idle_minutes == 30
    _say(client, "hej")
    _later(clock, IDLE - timedelta(seconds=1))
    assert _poll(client)[0] == 200
    _later(clock, timedelta(seconds=1))
    assert _poll(client)[0] == 410


def test_the_end_route_refuses_a_malformed_key(client: TestClient) -> None:
    response = client.post("/api/chat/session/end", json={"session": "x"})
    assert response.status_code == 422
    response = client.post(
        "/api/chat/session/end", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


def test_the_openapi_document_lists_the_ended_answer_and_the_end_route(
    client: TestClient,
) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "410" in paths["/api/chat/messages"]["post"]["responses"]
    assert "410" in paths["/api/chat/messages"]["get"]["responses"]
    assert "/api/chat/session/end" in paths
