"""A message the outbox could not deliver shows in the conversation with what happened, what to
do, and "send again", which queues it once more for the consultant's own team only."""

from __future__ import annotations

from urllib.parse import unquote_plus

from sqlalchemy import select

from bot.domain.outbox_fate import DELIVERY_UNKNOWN, SMS_OPTED_OUT
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AuditEntry, Message
from tests.bot.inbox.conftest import InboxFactory, MakeConsultant
from tests.bot.inbox.two_teams import TwoTeams, two_teams


def message(services: Services, message_id: int) -> Message:
    with transaction(services.session_factory) as db:
        row = db.get(Message, message_id)
        assert row is not None
        return row


def set_failure(services: Services, message_id: int, reason: str) -> None:
    with transaction(services.session_factory) as db:
        row = db.get(Message, message_id)
        assert row is not None
        row.last_error = reason


def send_again_url(teams: TwoTeams) -> str:
    nord = teams.nord
    return (
        f"/inbox/conversations/{nord.conversation_id}/messages/{nord.failed_message_id}/send-again"
    )


def test_a_message_given_up_on_is_shown_with_send_again_and_queued_once_more(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    consultant = inbox_factory()
    consultant.login(teams.nord.consultant)

    page = consultant.get(f"/inbox/conversations/{teams.nord.conversation_id}").text
    assert "Beskeden kom ikke frem" in page
    assert send_again_url(teams) in page

    answer = consultant.post(send_again_url(teams))
    assert answer.status_code == 303
    assert "Beskeden bliver sendt igen." in unquote_plus(answer.headers["location"])
    row = message(services, teams.nord.failed_message_id)
    assert row.status == "queued"
    assert row.attempts == 0
    assert row.give_up_at is None  # a fresh retry deadline from its next attempt
    assert row.last_error is None

    # A second click (or a colleague's) does not queue it twice.
    again = consultant.post(send_again_url(teams))
    assert "allerede sendt igen" in unquote_plus(again.headers["location"])
    with transaction(services.session_factory) as db:
        actions = list(
            db.scalars(select(AuditEntry.action).where(AuditEntry.action == "send_again"))
        )
    assert actions == ["send_again"]


def test_delivery_unknown_tells_the_consultant_to_ask_before_sending_again(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    set_failure(services, teams.nord.failed_message_id, f"{DELIVERY_UNKNOWN} (sender interrupted)")
    consultant = inbox_factory()
    consultant.login(teams.nord.consultant)

    page = consultant.get(f"/inbox/conversations/{teams.nord.conversation_id}").text
    assert "Vi ved ikke, om borgeren fik beskeden." in page
    assert "Spørg borgeren, om den kom frem." in page
    assert send_again_url(teams) in page


def test_an_sms_after_stop_has_no_send_again(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    set_failure(services, teams.nord.failed_message_id, SMS_OPTED_OUT)
    consultant = inbox_factory()
    consultant.login(teams.nord.consultant)

    page = consultant.get(f"/inbox/conversations/{teams.nord.conversation_id}").text
    assert "Borgeren har frameldt sms." in page
    assert send_again_url(teams) not in page
    consultant.post(send_again_url(teams))
    assert message(services, teams.nord.failed_message_id).status == "failed"


def test_another_team_cannot_send_it_again_nor_without_the_form_token(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    syd = inbox_factory()
    syd.login(teams.syd.admin)
    assert syd.post(send_again_url(teams)).status_code == 404
    # Nord's message under Syd's own conversation names nothing either.
    wrong_pair = (
        f"/inbox/conversations/{teams.syd.conversation_id}"
        f"/messages/{teams.nord.failed_message_id}/send-again"
    )
    assert syd.post(wrong_pair).status_code == 404

    nord = inbox_factory()
    nord.login(teams.nord.consultant)
    forged = nord.http.post(send_again_url(teams), data={}, follow_redirects=False)
    assert forged.status_code == 403
    assert message(services, teams.nord.failed_message_id).status == "failed"
