"""Logging in and out of the inbox: passwords, refusals, CSRF (the brake: test_login_brake)."""

from __future__ import annotations

from tests.bot.inbox.conftest import InboxClient, MakeConsultant


def test_pages_need_a_login(inbox: InboxClient) -> None:
    for path in ("/inbox", "/inbox/bookings", "/inbox/statistics", "/inbox/conversations/1"):
        response = inbox.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/inbox/login"


def test_a_consultant_logs_in_sees_the_queue_and_logs_out(
    inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    response = inbox.login("anna")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    queue = inbox.get("/inbox")
    assert queue.status_code == 200
    assert "Venter på en medarbejder" in queue.text

    assert inbox.post("/inbox/logout").status_code == 303
    assert inbox.get("/inbox").status_code == 303


def test_a_stolen_cookie_is_useless_after_logout(
    inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    inbox.login("anna")
    stolen = inbox.http.cookies.get("borgerchat_inbox")
    assert stolen
    inbox.post("/inbox/logout")
    inbox.http.cookies.set("borgerchat_inbox", stolen, path="/inbox")
    assert inbox.get("/inbox").status_code == 303


def test_a_forged_cookie_is_refused(inbox: InboxClient, make_consultant: MakeConsultant) -> None:
    make_consultant("anna")
    inbox.http.cookies.set("borgerchat_inbox", "made-up-token.0123abcd", path="/inbox")
    assert inbox.get("/inbox").status_code == 303


def test_a_wrong_password_and_an_unknown_user_get_the_same_refusal(
    inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    wrong = inbox.login("anna", "not the password")
    unknown = inbox.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in wrong.text
    assert "Forkert brugernavn eller adgangskode." in unknown.text
    assert inbox.get("/inbox").status_code == 303


def test_the_login_form_without_its_csrf_token_is_refused(
    inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    inbox.get("/inbox/login")
    response = inbox.http.post(
        "/inbox/login",
        data={"username": "anna", "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert inbox.get("/inbox").status_code == 303


def test_a_form_posted_with_a_wrong_csrf_token_changes_nothing(
    inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    inbox.login("anna")
    inbox.csrf = "forged"
    assert inbox.post("/inbox/logout").status_code == 403
    assert inbox.get("/inbox").status_code == 200  # still logged in


def test_a_deactivated_consultant_is_logged_out(
    inbox: InboxClient, make_consultant: MakeConsultant, services: object
) -> None:
    from bot.services import Services
    from bot.store.db import transaction
    from bot.store.models import Consultant

    assert isinstance(services, Services)
    anna = make_consultant("anna")
    inbox.login("anna")
    with transaction(services.session_factory) as db:
        row = db.get(Consultant, anna.id)
        assert row is not None
        row.active = False
    assert inbox.get("/inbox").status_code == 303
