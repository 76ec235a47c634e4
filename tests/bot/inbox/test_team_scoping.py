"""Nobody sees past their team: every inbox route with an id answers 404 for another team's
things, a team-less citizen is seen only while their chat waits, the audit log is per team,
and a system admin reads everything but changes only their own team's."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AuditEntry, Booking, CannedReply, Conversation, OpeningHours
from bot.wiring import create_app
from tests.bot.inbox.conftest import InboxClient, InboxFactory, MakeConsultant
from tests.bot.inbox.two_teams import TeamThings, citizen_team, two_teams

# What each path parameter names, in a team's things.
IDS = {
    "conversation_id": "conversation_id",
    "citizen_id": "citizen_id",
    "booking_id": "booking_id",
    "canned_id": "canned_id",
    "hours_id": "hours_id",
    "attachment_id": "attachment_id",
    "message_id": "failed_message_id",
    "notice_id": "absence_id",
}
# Enough for every form with an id to be valid, had the id been the sender's team's.
FORM = {"text": "Hej", "status": "attended", "weeks": "4"}
PARAM = re.compile(r"{(\w+)}")


def inbox_routes(services: Services) -> list[tuple[str, str]]:
    """(method, path) of every route of the app under /inbox."""
    routes: list[tuple[str, str]] = []
    for route in iter_route_contexts(create_app(services).routes):
        if route.path and route.path.startswith("/inbox"):
            routes.extend((method, route.path) for method in sorted(route.methods or ()))
    return routes


def id_routes(services: Services) -> list[tuple[str, str]]:
    """(method, path) of every inbox route with an id in its path (not the static assets)."""
    return [
        (method, path)
        for method, path in inbox_routes(services)
        if "{" in path and path != "/inbox/assets/{name}"
    ]


def filled(path: str, things: TeamThings) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in IDS, f"{path}: say in IDS which object {name} names"
        return str(getattr(things, IDS[name]))

    return PARAM.sub(value, path)


def request(client: InboxClient, method: str, path: str) -> int:
    if method == "GET":
        return client.get(path).status_code
    return client.post(path, **FORM).status_code


def logged_in(inbox_factory: InboxFactory, username: str) -> InboxClient:
    client = inbox_factory()
    assert client.login(username).status_code == 303
    return client


def test_every_route_with_an_id_answers_404_for_another_teams_things(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    routes = id_routes(services)
    assert len(routes) == 20, routes
    syd_admin = logged_in(inbox_factory, teams.syd.admin)
    syd_consultant = logged_in(inbox_factory, teams.syd.consultant)
    for method, path in routes:
        url = filled(path, teams.nord)
        assert request(syd_admin, method, url) == 404, (method, url)
        if "canned" not in path:  # canned replies are for admins: a consultant gets 403
            assert request(syd_consultant, method, url) == 404, (method, url)
    with transaction(services.session_factory) as db:
        assert (
            db.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "login")
            )
            == 0
        )
        assert db.get(CannedReply, teams.nord.canned_id) is not None
        assert db.get(OpeningHours, teams.nord.hours_id) is not None
        booking = db.get(Booking, teams.nord.booking_id)
        assert booking is not None
        assert booking.status == "booked"
    # The same requests by Nord's own admin find what they name.
    nord_admin = logged_in(inbox_factory, teams.nord.admin)
    for method, path in routes:
        status = request(nord_admin, method, filled(path, teams.nord))
        assert status == (200 if method == "GET" else 303), (method, path)


def test_an_id_beyond_the_database_range_is_not_found(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    make_consultant("anna")
    anna = logged_in(inbox_factory, "anna")
    for path in ("/inbox/conversations/2147483648", "/inbox/citizens/9223372036854775808"):
        assert anna.get(path).status_code == 404
    assert anna.post("/inbox/bookings/2147483648/mark", status="attended").status_code == 404


def test_a_teamless_citizen_is_seen_by_every_team_only_while_their_chat_waits(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    nord, syd = (logged_in(inbox_factory, t.consultant) for t in (teams.nord, teams.syd))
    waiting = f"/inbox/conversations/{teams.waiting_conversation_id}"
    for consultant in (nord, syd):
        assert waiting in consultant.get("/inbox").text
        assert consultant.get(waiting).status_code == 200
        page = consultant.get(f"/inbox/citizens/{teams.waiting_citizen_id}")
        assert page.status_code == 200
        # What was reported in the waiting chat helps whoever takes it; the earlier,
        # bot-only chat and what was reported there stay hidden.
        assert teams.waiting_absence in page.text
        assert teams.earlier_absence not in page.text
        assert f"/inbox/conversations/{teams.earlier_conversation_id}" not in page.text
        assert (
            consultant.get(f"/inbox/conversations/{teams.earlier_conversation_id}").status_code
            == 404
        )

    assert syd.post(f"{waiting}/claim").status_code == 303
    assert citizen_team(services, teams.waiting_citizen_id) == teams.syd.team_id
    # Syd's now, all of it; Nord sees none of it any more.
    assert teams.earlier_absence in syd.get(f"/inbox/citizens/{teams.waiting_citizen_id}").text
    assert syd.get(f"/inbox/conversations/{teams.earlier_conversation_id}").status_code == 200
    assert nord.get(waiting).status_code == 404
    assert nord.get(f"/inbox/citizens/{teams.waiting_citizen_id}").status_code == 404
    assert waiting not in nord.get("/inbox").text


def test_a_bot_only_chat_and_its_absence_notice_are_seen_by_no_other_team(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    nord, syd = (logged_in(inbox_factory, t.admin) for t in (teams.nord, teams.syd))
    for consultant in (nord, syd):  # a team-less citizen who never asked for a person: nobody
        assert (
            consultant.get(f"/inbox/conversations/{teams.bot_only_conversation_id}").status_code
            == 404
        )
        assert consultant.get(f"/inbox/citizens/{teams.bot_only_citizen_id}").status_code == 404
    # A team's own citizen's bot-only chat and absence: their team only.
    own = nord.get(f"/inbox/citizens/{teams.nord.citizen_id}")
    assert teams.nord.absence_note in own.text
    assert nord.get(f"/inbox/conversations/{teams.nord.conversation_id}").status_code == 200
    assert syd.get(f"/inbox/citizens/{teams.nord.citizen_id}").status_code == 404
    assert syd.get(f"/inbox/conversations/{teams.nord.conversation_id}").status_code == 404
    # Counting up ids finds nothing of Nord's.
    everything = ""
    for n in range(1, 12):
        everything += (
            syd.get(f"/inbox/citizens/{n}").text + syd.get(f"/inbox/conversations/{n}").text
        )
    for hidden in (teams.nord.absence_note, teams.bot_only_absence, "Nord bot chat", "kun chatbot"):
        assert hidden not in everything


def audit_usernames(page: str) -> set[str]:
    return set(re.findall(r"<tr><td>[^<]*</td><td>([^<]+)</td>", page))


def test_an_admin_reads_their_own_teams_audit_log_only(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    nord = logged_in(inbox_factory, teams.nord.consultant)
    nord.get(f"/inbox/citizens/{teams.nord.citizen_id}")
    syd = logged_in(inbox_factory, teams.syd.consultant)
    syd.get(f"/inbox/conversations/{teams.syd.conversation_id}")
    assert inbox_factory().login("nobody-here", "guess-guess").status_code == 401

    syd_log = logged_in(inbox_factory, teams.syd.admin).get("/inbox/audit").text
    assert audit_usernames(syd_log) == {teams.syd.consultant, teams.syd.admin}
    assert f"citizen={teams.nord.citizen_id}" not in syd_log
    assert "ukendt bruger" not in syd_log
    only_nords = logged_in(inbox_factory, teams.syd.admin).get(
        f"/inbox/audit?citizen={teams.nord.citizen_id}"
    )
    assert audit_usernames(only_nords.text) == set()

    nord_log = logged_in(inbox_factory, teams.nord.admin).get("/inbox/audit").text
    assert audit_usernames(nord_log) == {teams.nord.consultant, teams.nord.admin}
    assert f"citizen={teams.nord.citizen_id}" in nord_log
    assert f"citizen={teams.syd.citizen_id}" not in nord_log


def test_an_admin_sees_who_of_another_team_looked_at_their_citizen(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    teams = two_teams(services, make_consultant)
    syd = logged_in(inbox_factory, teams.syd.consultant)
    syd.get(f"/inbox/citizens/{teams.waiting_citizen_id}")  # while nobody's
    nord = logged_in(inbox_factory, teams.nord.consultant)
    nord.post(f"/inbox/conversations/{teams.waiting_conversation_id}/claim")
    log = logged_in(inbox_factory, teams.nord.admin).get(
        f"/inbox/audit?citizen={teams.waiting_citizen_id}"
    )
    assert audit_usernames(log.text) == {teams.syd.consultant, teams.nord.consultant}


def test_a_system_admin_reads_every_team_but_changes_only_their_own(
    services: Services,
    make_consultant: MakeConsultant,
    inbox_factory: InboxFactory,
    database_url: str,
) -> None:
    teams = two_teams(services, make_consultant)
    make_consultant("dpo", team="Kommunen")
    runner = CliRunner()
    granted = runner.invoke(
        cli, ["consultant", "set-system-admin", "dpo"], env={"DATABASE_URL": database_url}
    )
    assert granted.exit_code == 0, granted.output
    logged_in(inbox_factory, teams.nord.consultant).get(f"/inbox/citizens/{teams.nord.citizen_id}")
    logged_in(inbox_factory, teams.syd.consultant).get(f"/inbox/citizens/{teams.syd.citizen_id}")
    inbox_factory().login("nobody-here", "guess-guess")

    dpo = logged_in(inbox_factory, "dpo")
    log = dpo.get("/inbox/audit").text
    assert {teams.nord.consultant, teams.syd.consultant} <= audit_usernames(log)
    assert "ukendt bruger" in log  # a refused login for no account: no team's, the DPO's
    for things in (teams.nord, teams.syd):
        page = dpo.get(f"/inbox/citizens/{things.citizen_id}")
        assert things.absence_note in page.text
        assert dpo.get(f"/inbox/conversations/{things.conversation_id}").status_code == 200
    assert dpo.get(f"/inbox/citizens/{teams.bot_only_citizen_id}").status_code == 200
    # Reading, not acting: no form reaches another team's things.
    nord_chat = f"/inbox/conversations/{teams.nord.conversation_id}"
    assert dpo.post(f"{nord_chat}/notes", text="kigger bare").status_code == 404
    assert (
        dpo.post(f"/inbox/bookings/{teams.nord.booking_id}/mark", status="no_show").status_code
        == 404
    )
    assert dpo.post(f"/inbox/canned/{teams.nord.canned_id}/delete").status_code == 404
    with transaction(services.session_factory) as db:
        chat = db.get(Conversation, teams.nord.conversation_id)
        assert chat is not None
        assert chat.status == "bot"

    revoked = runner.invoke(
        cli,
        ["consultant", "set-system-admin", "dpo", "--revoke"],
        env={"DATABASE_URL": database_url},
    )
    assert revoked.exit_code == 0, revoked.output
    again = logged_in(inbox_factory, "dpo")
    assert again.get(f"/inbox/citizens/{teams.nord.citizen_id}").status_code == 404


def test_consultant_add_makes_a_system_admin(
    services: Services, database_url: str, inbox_factory: InboxFactory
) -> None:
    result = CliRunner().invoke(
        cli,
        ["consultant", "add", "dpo", "--name", "DPO", "--team", "Kommunen", "--system-admin"],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    assert "system admin" in result.output
    password = result.output.split("password: ")[1].strip()
    dpo = inbox_factory()
    assert dpo.login("dpo", password).status_code == 303
    assert dpo.get("/inbox/audit").status_code == 200
