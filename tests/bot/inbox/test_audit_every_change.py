"""Every change made in the inbox, and every login, leaves an audit entry: the test walks every
form of the app (each POST, PUT, PATCH or DELETE under /inbox), sends it as it should be sent,
and looks for the entry. A new form fails here until it is given a valid request below, and
then until it is audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi.routing import iter_route_contexts
from httpx import Response
from sqlalchemy import select

from bot.inbox.audit import AuditAction
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    AuditEntry,
    Consultant,
    Conversation,
    ConversationStatus,
    Location,
    Slot,
)
from bot.wiring import create_app
from tests.bot.inbox.conftest import InboxClient, InboxFactory, MakeConsultant
from tests.bot.inbox.two_teams import TwoTeams, two_teams

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Walk:
    """What a valid request needs: the world, the admin doing it, a way to get a new browser."""

    services: Services
    teams: TwoTeams
    admin: InboxClient
    admin_id: int
    new_browser: InboxFactory

    def held_conversation(self) -> int:
        """A conversation of Nord's citizen that the admin holds."""
        now = self.services.clock.now()
        with transaction(self.services.session_factory) as db:
            conversation = Conversation(
                citizen_id=self.teams.nord.citizen_id,
                status=ConversationStatus.CONSULTANT.value,
                assigned_consultant_id=self.admin_id,
                created_at=now,
                updated_at=now,
            )
            db.add(conversation)
            db.flush()
            return conversation.id

    def absence_id(self) -> int:
        """A new absence notice of Nord's citizen."""
        with transaction(self.services.session_factory) as db:
            notice = AbsenceNotice(
                citizen_id=self.teams.nord.citizen_id,
                starts_on=date(2026, 11, 23),
                reason="own_sickness",
                reported_at=self.services.clock.now(),
            )
            db.add(notice)
            db.flush()
            return notice.id

    def free_slot_id(self) -> int:
        """A new free slot at Nord's location, two days ahead."""
        starts = self.services.clock.now() + timedelta(days=2, hours=3)
        with transaction(self.services.session_factory) as db:
            slot = Slot(
                consultant_id=self.teams.nord.consultant_id,
                location_id=self.teams.nord.location_id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=45),
            )
            db.add(slot)
            db.flush()
            return slot.id


def _login(walk: Walk) -> Response:
    return walk.new_browser().login(walk.teams.nord.consultant)


def _logout(walk: Walk) -> Response:
    browser = walk.new_browser()
    browser.login(walk.teams.nord.admin)
    return browser.post("/inbox/logout")


Request = Callable[[Walk], Response]


def _on_conversation(action: str, conversation: Callable[[Walk], int], **form: str) -> Request:
    def send(walk: Walk) -> Response:
        return walk.admin.post(f"/inbox/conversations/{conversation(walk)}/{action}", **form)

    return send


# Each form, the request that does what it is for, and the audit entry it must leave.
VALID_REQUESTS: dict[tuple[str, str], tuple[Request, AuditAction]] = {
    ("POST", "/inbox/login"): (_login, AuditAction.LOGIN),
    ("POST", "/inbox/logout"): (_logout, AuditAction.LOGOUT),
    ("POST", "/inbox/conversations/{conversation_id}/claim"): (
        _on_conversation("claim", lambda walk: walk.teams.waiting_conversation_id),
        AuditAction.CLAIM,
    ),
    ("POST", "/inbox/conversations/{conversation_id}/reply"): (
        _on_conversation("reply", Walk.held_conversation, text="Hej, jeg hjælper dig nu."),
        AuditAction.REPLY,
    ),
    ("POST", "/inbox/conversations/{conversation_id}/notes"): (
        _on_conversation(
            "notes", lambda walk: walk.teams.nord.conversation_id, text="Ring i morgen"
        ),
        AuditAction.ADD_NOTE,
    ),
    ("POST", "/inbox/conversations/{conversation_id}/hand-back"): (
        _on_conversation("hand-back", Walk.held_conversation),
        AuditAction.HAND_BACK,
    ),
    ("POST", "/inbox/conversations/{conversation_id}/close"): (
        _on_conversation("close", lambda walk: walk.teams.nord.conversation_id, confirmed="yes"),
        AuditAction.CLOSE,
    ),
    ("POST", "/inbox/conversations/{conversation_id}/assign"): (
        lambda walk: walk.admin.post(
            f"/inbox/conversations/{walk.held_conversation()}/assign",
            consultant_id=str(walk.teams.nord.consultant_id),
        ),
        AuditAction.ASSIGN,
    ),
    ("POST", "/inbox/citizens/{citizen_id}/contact"): (
        lambda walk: walk.admin.post(
            f"/inbox/citizens/{walk.teams.nord.citizen_id}/contact",
            name="Mikkel Hansen",
            phone="20 30 40 50",
            consent="yes",
        ),
        AuditAction.SAVE_CONTACT,
    ),
    ("POST", "/inbox/citizens/{citizen_id}/book"): (
        lambda walk: walk.admin.post(
            f"/inbox/citizens/{walk.teams.nord.citizen_id}/book",
            slot_id=str(walk.free_slot_id()),
        ),
        AuditAction.BOOK_FOR_CITIZEN,
    ),
    ("POST", "/inbox/absences/{notice_id}/correct"): (
        lambda walk: walk.admin.post(
            f"/inbox/absences/{walk.absence_id()}/correct",
            starts_on="2026-11-24",
            ends_on="2026-11-25",
            reason="Borgeren ringede og rettede datoen",
        ),
        AuditAction.CORRECT_ABSENCE,
    ),
    ("POST", "/inbox/absences/{notice_id}/annul"): (
        lambda walk: walk.admin.post(
            f"/inbox/absences/{walk.absence_id()}/annul", reason="Registreret på den forkerte"
        ),
        AuditAction.ANNUL_ABSENCE,
    ),
    ("POST", "/inbox/citizens/{citizen_id}/check-in"): (
        lambda walk: walk.admin.post(
            f"/inbox/citizens/{walk.teams.nord.citizen_id}/check-in", weeks="4"
        ),
        AuditAction.SET_CHECK_IN,
    ),
    ("POST", "/inbox/bookings/{booking_id}/mark"): (
        lambda walk: walk.admin.post(
            f"/inbox/bookings/{walk.teams.nord.booking_id}/mark", status="attended"
        ),
        AuditAction.MARK_BOOKING,
    ),
    ("POST", "/inbox/slots"): (
        lambda walk: walk.admin.post(
            "/inbox/slots",
            consultant_id=str(walk.teams.nord.consultant_id),
            location_id=str(walk.teams.nord.location_id),
            day="2026-12-07",
            starts="10:00",
            minutes="45",
            weeks="2",
        ),
        AuditAction.CREATE_SLOTS,
    ),
    ("POST", "/inbox/opening-hours"): (
        lambda walk: walk.admin.post(
            "/inbox/opening-hours",
            location_id=str(walk.teams.nord.location_id),
            weekday="2",
            opens="09:00",
            closes="11:30",
        ),
        AuditAction.ADD_OPENING_HOURS,
    ),
    ("POST", "/inbox/opening-hours/{hours_id}/delete"): (
        lambda walk: walk.admin.post(f"/inbox/opening-hours/{walk.teams.nord.hours_id}/delete"),
        AuditAction.DELETE_OPENING_HOURS,
    ),
    ("POST", "/inbox/exceptions"): (
        lambda walk: walk.admin.post(
            "/inbox/exceptions", first_day="2026-12-24", last_day="2026-12-26", reason="Jul"
        ),
        AuditAction.ADD_EXCEPTION,
    ),
    ("POST", "/inbox/canned"): (
        lambda walk: walk.admin.post("/inbox/canned", title="Tak", text="Tak for din besked."),
        AuditAction.ADD_CANNED,
    ),
    ("POST", "/inbox/canned/{canned_id}/delete"): (
        lambda walk: walk.admin.post(f"/inbox/canned/{walk.teams.nord.canned_id}/delete"),
        AuditAction.DELETE_CANNED,
    ),
    ("POST", "/inbox/conversations/{conversation_id}/messages/{message_id}/send-again"): (
        lambda walk: walk.admin.post(
            f"/inbox/conversations/{walk.teams.nord.conversation_id}"
            f"/messages/{walk.teams.nord.failed_message_id}/send-again"
        ),
        AuditAction.SEND_AGAIN,
    ),
}


def mutating_inbox_routes(services: Services) -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    for route in iter_route_contexts(create_app(services).routes):
        if route.path and route.path.startswith("/inbox"):
            methods = set(route.methods or ()) & MUTATING
            routes.update((method, route.path) for method in methods)
    return routes


def entries_after(services: Services, last_id: int) -> list[AuditEntry]:
    with transaction(services.session_factory) as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.id > last_id)))


def last_entry_id(services: Services) -> int:
    with transaction(services.session_factory) as db:
        return max(db.scalars(select(AuditEntry.id)), default=0)


def test_every_form_of_the_inbox_is_audited(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    routes = mutating_inbox_routes(services)
    unknown = routes - VALID_REQUESTS.keys()
    assert not unknown, f"new forms: give each a valid request in VALID_REQUESTS: {unknown}"
    assert VALID_REQUESTS.keys() <= routes, "VALID_REQUESTS names a form the app no longer has"

    teams = two_teams(services, make_consultant)
    admin = inbox_factory()
    assert admin.login(teams.nord.admin).status_code == 303
    with transaction(services.session_factory) as db:
        admin_id = db.scalars(
            select(Consultant.id).where(Consultant.username == teams.nord.admin)
        ).one()
    walk = Walk(services, teams, admin, admin_id, inbox_factory)
    for route in sorted(routes):
        send, action = VALID_REQUESTS[route]
        before = last_entry_id(services)
        response = send(walk)
        assert response.status_code == 303, route
        assert "error=" not in response.headers["location"], (route, response.headers["location"])
        written = [e for e in entries_after(services, before) if e.action == action.value]
        assert len(written) == 1, (route, [e.action for e in entries_after(services, before)])
        assert written[0].team_id == teams.nord.team_id, route


def test_a_refused_login_is_audited_for_the_account_it_tried(
    services: Services, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    anna = make_consultant("anna")
    assert inbox.login("anna", "not the password").status_code == 401
    assert inbox.login("anna").status_code == 303
    with transaction(services.session_factory) as db:
        rows = [
            (e.action, e.consultant_id, e.team_id, e.detail)
            for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    client = {"client": "testclient"}
    assert rows == [
        ("login_refused", anna.id, anna.team_id, client),
        ("login", anna.id, anna.team_id, client),
    ]
    log = inbox.get("/inbox/audit")
    assert log.status_code == 403  # anna is no admin; her team's admin reads it


def test_the_audit_log_shows_logins_and_opening_hours_in_words(
    services: Services, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    boss = make_consultant("boss", role="admin")
    with transaction(services.session_factory) as db:
        location = Location(team_id=boss.team_id, name="Nord kontor")
        db.add(location)
        db.flush()
        location_id = location.id
    inbox.login("boss", "wrong password!")
    inbox.login("boss")
    inbox.post(
        "/inbox/opening-hours",
        location_id=str(location_id),
        weekday="0",
        opens="09:00",
        closes="12:00",
    )
    page = inbox.get("/inbox/audit").text
    for words in ("loggede ind", "forkert login", "tilføjede en åbningstid", "Åbner", "09:00"):
        assert words in page
