"""A consultant sets a citizen's "Hvordan går det?" every N weeks from the citizen page."""

from __future__ import annotations

from sqlalchemy import select

from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import CheckIn, Citizen, Reminder
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester


def test_a_consultant_starts_changes_and_stops_a_check_in(
    services: Services, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    anna = make_consultant("anna")
    ChatTester(services, Channel.TELEGRAM, "tg-5551").say("hej")
    with transaction(services.session_factory) as db:
        citizen = db.scalars(select(Citizen)).one()
        citizen.team_id = anna.team_id
        citizen_id = citizen.id
    inbox.login("anna")
    page = f"/inbox/citizens/{citizen_id}"
    assert "Ingen opfølgning." in inbox.get(page).text

    response = inbox.post(f"{page}/check-in", weeks="2")
    assert "hver 2. uge" in inbox.get(response.headers["location"]).text
    with transaction(services.session_factory) as db:
        check_in = db.scalars(select(CheckIn)).one()
        assert (check_in.every_weeks, check_in.set_by_id, check_in.active) == (2, anna.id, True)
        assert db.scalars(select(Reminder.status).where(Reminder.kind == "check_in")).all() == [
            "scheduled"
        ]

    bad = inbox.post(f"{page}/check-in", weeks="99")
    assert "fra 1 til 52" in inbox.get(bad.headers["location"]).text

    inbox.post(f"{page}/check-in", weeks="")
    with transaction(services.session_factory) as db:
        assert not db.scalars(select(CheckIn.active)).one()
        assert db.scalars(select(Reminder.status).where(Reminder.kind == "check_in")).all() == [
            "cancelled"
        ]
    assert "Ingen opfølgning." in inbox.get(page).text
