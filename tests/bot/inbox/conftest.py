"""Inbox fixtures: teams, consultant accounts, and a logged-in consultant's browser-less client."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from bot.cli.consultant import upsert_consultant
from bot.runtime.config import AppConfig, load_config
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Consultant, Team
from bot.wiring import create_app
from tests.conftest import TEST_CLIENT_HOSTS

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def inbox_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The inbox tests' settings; a fixed key, so tests never write a development key into the
    working tree's var/."""
    return {
        "DATABASE_URL": database_url,
        "BORGERCHAT_NLU__MODEL_DIR": str(tmp_path / "nlu"),
        "BORGERCHAT_SECRET_KEY": "test-secret-key-for-the-inbox-0123456789",
        **TEST_CLIENT_HOSTS,
    }


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> AppConfig:
    return load_config(env=inbox_env(database_url, tmp_path))


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, at its lowest cost: the default 64 MiB x 3 passes per hash and login would
    make these tests slow on a shared 2-core machine without testing anything more."""
    from argon2 import PasswordHasher

    from bot.inbox import auth

    monkeypatch.setattr(
        auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


MakeConsultant = Callable[..., Consultant]


@pytest.fixture
def make_consultant(services: Services) -> MakeConsultant:
    def make(
        username: str = "anna",
        team: str = "Jobcenter Nord",
        role: str = "consultant",
        system_admin: bool = False,
    ) -> Consultant:
        with transaction(services.session_factory) as db:
            upsert_consultant(
                db,
                username=username,
                display_name=username.title(),
                team=team,
                role=role,
                password=PASSWORD,
                replace=False,
                system_admin=system_admin,
            )
            return db.scalars(select(Consultant).where(Consultant.username == username)).one()

    return make


def team_id(services: Services, name: str) -> int:
    with transaction(services.session_factory) as db:
        return db.scalars(select(Team.id).where(Team.name == name)).one()


@dataclass
class InboxClient:
    """A consultant using the inbox through HTTP: logs in, reads pages, posts forms."""

    http: TestClient
    csrf: str = ""

    def login(
        self, username: str, password: str = PASSWORD, headers: dict[str, str] | None = None
    ) -> Response:
        page = self.http.get("/inbox/login")
        token = CSRF.search(page.text)
        assert token is not None
        response = self.http.post(
            "/inbox/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
            headers=headers,
            follow_redirects=False,
        )
        if response.status_code == 303:
            self.refresh_csrf()
        return response

    def refresh_csrf(self) -> None:
        token = CSRF.search(self.http.get("/inbox").text)
        assert token is not None
        self.csrf = token.group(1)

    def get(self, path: str) -> Response:
        return self.http.get(path, follow_redirects=False)

    def post(self, path: str, **data: str) -> Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **data}, follow_redirects=False)


# A browser at another address: ``inbox_factory(client=("203.0.113.7", 50000))``.
InboxFactory = Callable[..., InboxClient]


@pytest.fixture
def inbox_factory(services: Services) -> Iterator[InboxFactory]:
    clients: list[TestClient] = []

    def make(
        client: tuple[str, int] = ("testclient", 50000), app_services: Services | None = None
    ) -> InboxClient:
        http = TestClient(create_app(app_services or services), client=client)
        http.__enter__()
        clients.append(http)
        return InboxClient(http)

    yield make
    for http in clients:
        http.__exit__(None, None, None)


@pytest.fixture
def inbox(inbox_factory: InboxFactory) -> InboxClient:
    return inbox_factory()
