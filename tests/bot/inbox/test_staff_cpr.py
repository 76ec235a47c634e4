"""A CPR number a consultant types is removed before it is stored or sent, and they are told:
in a reply, an internal note, a canned reply, a slot exception's reason. The login form never
stores what was typed as a username."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.inbox.auth import UNKNOWN_USER
from bot.kernel.cpr import CPR_MASK
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    Booking,
    CannedReply,
    Conversation,
    InternalNote,
    Location,
    LoginFailure,
    Message,
    Sender,
    SlotException,
)
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester
from tests.integrations.test_cpr_everywhere import _everything_stored

NOTICE = "Et CPR-nummer er fjernet fra teksten."


def _held_conversation(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant, session: str
) -> int:
    """A web chat citizen asks for a person; Anna logs in and takes the conversation."""
    ChatTester(services, address=session).say("jeg vil tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation_id}/claim")
    return conversation_id


def _assert_nowhere(services: Services, *pieces: str) -> None:
    stored = _everything_stored(services)
    for piece in pieces:
        assert piece not in stored


def _notice_after(inbox: InboxClient, response_location: str) -> str:
    return inbox.get(response_location).text


def test_a_cpr_number_in_a_reply_is_neither_stored_nor_sent_and_the_consultant_is_told(
    services: Services, client: TestClient, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation_id = _held_conversation(services, inbox, make_consultant, "web-reply-cpr")

    response = inbox.post(
        f"/inbox/conversations/{conversation_id}/reply",
        text="Hej. Dit CPR-0101901234 og 01.01.90\u20131234 står i sagen.",
    )

    assert NOTICE in _notice_after(inbox, response.headers["location"])
    expected = f"Hej. Dit CPR-{CPR_MASK} og {CPR_MASK} står i sagen."
    with transaction(services.session_factory) as db:
        stored = db.scalars(select(Message.text).where(Message.sender == Sender.CONSULTANT)).one()
    assert stored == expected
    polled = client.get("/api/chat/messages", params={"session": "web-reply-cpr"}).json()
    assert [reply["text"] for reply in polled["replies"]] == [expected]
    _assert_nowhere(services, "0101901234", "01.01.90")


def test_a_reply_without_a_cpr_number_gets_no_cpr_notice(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation_id = _held_conversation(services, inbox, make_consultant, "web-reply-plain")
    response = inbox.post(
        f"/inbox/conversations/{conversation_id}/reply", text="Ring på 70201201 kl. 10.30-11.30"
    )
    page = _notice_after(inbox, response.headers["location"])
    assert "Svaret er sendt." in page
    assert NOTICE not in page
    with transaction(services.session_factory) as db:
        stored = db.scalars(select(Message.text).where(Message.sender == Sender.CONSULTANT)).one()
    assert stored == "Ring på 70201201 kl. 10.30-11.30"


def test_a_cpr_number_in_an_internal_note_is_removed_and_the_consultant_is_told(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation_id = _held_conversation(services, inbox, make_consultant, "web-note-cpr")

    response = inbox.post(
        f"/inbox/conversations/{conversation_id}/notes", text="Borger oplyste 0101\u00ad90 1234"
    )

    assert NOTICE in _notice_after(inbox, response.headers["location"])
    with transaction(services.session_factory) as db:
        assert db.scalars(select(InternalNote.text)).one() == f"Borger oplyste {CPR_MASK}"
    _assert_nowhere(services, "0101\u00ad90", "90 1234")


def test_a_cpr_number_in_a_canned_reply_is_removed_and_the_admin_is_told(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("admin", role="admin")
    inbox.login("admin")

    response = inbox.post(
        "/inbox/canned", title="Eksempel 010190/1234", text="Skriv fx 010190 - 1234 til os."
    )

    assert NOTICE in _notice_after(inbox, response.headers["location"])
    with transaction(services.session_factory) as db:
        canned = db.scalars(select(CannedReply)).one()
        assert (canned.title, canned.text) == (
            f"Eksempel {CPR_MASK}",
            f"Skriv fx {CPR_MASK} til os.",
        )
    _assert_nowhere(services, "010190")


def test_a_cpr_number_in_a_slot_exception_reason_is_removed_and_the_consultant_is_told(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    anna = make_consultant("anna")
    with transaction(services.session_factory) as db:
        db.add(Location(team_id=anna.team_id, name="Jobcenter Nord"))
    inbox.login("anna")

    response = inbox.post(
        "/inbox/exceptions", first_day="2026-11-25", reason="Møde om 280788-3917\u00a0"
    )

    assert NOTICE in _notice_after(inbox, response.headers["location"])
    with transaction(services.session_factory) as db:
        assert db.scalars(select(SlotException.reason)).one() == f"Møde om {CPR_MASK}"
        assert db.scalars(select(Booking)).all() == []
    _assert_nowhere(services, "280788")


def test_a_failed_login_never_stores_what_was_typed_as_an_unknown_username(
    services: Services,
    inbox_factory: Callable[[], InboxClient],
    make_consultant: MakeConsultant,
) -> None:
    make_consultant("anna")
    inbox_factory().login("0101901234", "not the password")
    inbox_factory().login("correct horse battery", "oops, the password went in the name field")
    inbox_factory().login("anna", "not the password")

    with transaction(services.session_factory) as db:
        recorded = sorted(db.scalars(select(LoginFailure.username)))
    assert recorded == ["anna", UNKNOWN_USER, UNKNOWN_USER]
    _assert_nowhere(services, "0101901234", "correct horse", "not the password", "oops")


def test_a_canned_title_at_its_full_length_still_fits_once_its_cpr_number_is_masked(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("admin", role="admin")
    inbox.login("admin")
    title = "x" * 70 + "0101901234"  # 80 characters; the mask is longer than the number

    response = inbox.post("/inbox/canned", title=title, text="Hej")

    assert response.status_code == 303
    with transaction(services.session_factory) as db:
        stored = db.scalars(select(CannedReply.title)).one()
    assert stored.startswith("x" * 70 + "[CPR")
    assert len(stored) == 80
