"""`borgerchat consultant add` and `borgerchat consultant demo-login`."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.inbox.auth import verify_password
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Consultant
from tests.bot.inbox.conftest import InboxClient

runner = CliRunner()


def test_consultant_add_prints_a_random_password_that_logs_in(
    services: Services, database_url: str, inbox: InboxClient
) -> None:
    result = runner.invoke(
        app,
        ["consultant", "add", "Mette", "--name", "Mette Hansen", "--team", "Jobcenter Øst"],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].strip()
    assert inbox.login("mette", password).status_code == 303

    again = runner.invoke(
        app,
        ["consultant", "add", "mette", "--name", "M", "--team", "Jobcenter Øst"],
        env={"DATABASE_URL": database_url},
    )
    assert again.exit_code != 0
    assert "exists already" in again.output


def test_a_short_password_from_stdin_is_refused(services: Services, database_url: str) -> None:
    result = runner.invoke(
        app,
        ["consultant", "add", "ib", "--name", "Ib", "--team", "T", "--password-stdin"],
        input="kort\n",
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code != 0
    with transaction(services.session_factory) as db:
        assert db.scalar(select(func.count()).select_from(Consultant)) == 0


def test_demo_login_is_idempotent_and_uses_the_fixed_password_only_on_sqlite(
    services: Services, database_url: str
) -> None:
    for _ in range(2):
        result = runner.invoke(
            app, ["consultant", "demo-login"], env={"DATABASE_URL": database_url}
        )
        assert result.exit_code == 0, result.output
        assert "user: demo" in result.output
    password = result.output.split("password: ")[1].strip()
    if database_url.startswith("sqlite"):
        assert password == "demo-inbox"
    else:
        assert password != "demo-inbox"
    with transaction(services.session_factory) as db:
        demo = db.scalars(select(Consultant).where(Consultant.username == "demo")).one()
        assert demo.role == "admin"
        assert verify_password(demo.password_hash, password)


def test_set_password_and_deactivate_end_the_accounts_sessions(
    services: Services, database_url: str, inbox: InboxClient, make_consultant: object
) -> None:
    make_consultant("anna")  # type: ignore[operator]
    inbox.login("anna")
    assert inbox.get("/inbox").status_code == 200
    changed = runner.invoke(
        app, ["consultant", "set-password", "anna"], env={"DATABASE_URL": database_url}
    )
    assert changed.exit_code == 0, changed.output
    assert inbox.get("/inbox").status_code == 303  # logged out everywhere
    password = changed.output.split("password: ")[1].strip()
    assert inbox.login("anna", password).status_code == 303

    gone = runner.invoke(
        app, ["consultant", "deactivate", "anna"], env={"DATABASE_URL": database_url}
    )
    assert gone.exit_code == 0, gone.output
    assert inbox.get("/inbox").status_code == 303
    assert inbox.login("anna", password).status_code == 401

    unknown = runner.invoke(
        app, ["consultant", "deactivate", "nobody"], env={"DATABASE_URL": database_url}
    )
    assert unknown.exit_code == 1
    assert "no consultant named" in unknown.output
