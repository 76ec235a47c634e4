"""``borgerchat consultant ...``: create inbox accounts and the demo login."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.kernel.errors import BorgerchatError

if TYPE_CHECKING:
    from bot.store.models import Consultant

consultant_app = typer.Typer(help="Consultant accounts for the inbox.", no_args_is_help=True)

DEMO_TEAM = "Jobcenter Demo"
DEMO_USERNAME = "demo"
# Only ever set on the embedded SQLite database or when asked for with --fixed-password.
DEMO_PASSWORD = "demo-inbox"  # noqa: S105 (the documented laptop demo login)


def _team(db: Session, name: str) -> int:
    from bot.store.models import Team

    team = db.scalars(select(Team).where(Team.name == name)).first()
    if team is None:
        team = Team(name=name)
        db.add(team)
        db.flush()
    return team.id


def _ensure_demo_location(db: Session, team_id: int) -> None:
    """Without any location the slot pages are empty; `demo seed` normally adds real ones."""
    from bot.store.models import Location

    if db.scalars(select(Location.id).where(Location.team_id == team_id)).first() is None:
        db.add(Location(team_id=team_id, name="Jobcentret, Rådhuspladsen 1", kind="office"))


def upsert_consultant(
    db: Session,
    *,
    username: str,
    display_name: str,
    team: str,
    role: str,
    password: str,
    replace: bool,
    system_admin: bool = False,
) -> bool:
    """Create (or with ``replace``, update) an account; return True when it was created."""
    from bot.inbox.auth import MIN_PASSWORD_LENGTH, hash_password
    from bot.store.models import Consultant

    if role not in ("consultant", "admin"):
        raise BorgerchatError(f"role must be consultant or admin, not {role!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BorgerchatError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise BorgerchatError("the username must be 1 to 80 characters")
    if any(character.isspace() for character in username):
        # The login brake counts unknown usernames under one name with a space in it.
        raise BorgerchatError("the username must not contain spaces")
    team_id = _team(db, team)
    existing = db.scalars(select(Consultant).where(Consultant.username == username)).first()
    if existing is not None and not replace:
        raise BorgerchatError(f"a consultant named {username!r} exists already")
    account = existing or Consultant(username=username)
    account.display_name = display_name
    account.team_id = team_id
    account.role = role
    account.system_admin = system_admin
    account.active = True
    account.password_hash = hash_password(password)
    db.add(account)
    return existing is None


def _migrated_engine(database_url: str) -> Engine:
    from bot.cli.exits import fail
    from bot.store.db import create_db_engine
    from bot.store.migrate import is_up_to_date

    engine = create_db_engine(database_url)
    if not is_up_to_date(engine):
        engine.dispose()
        raise fail("the database schema is not up to date; run `borgerchat db upgrade` first")
    return engine


def _password_from_stdin() -> str:
    line = sys.stdin.readline().rstrip("\n")
    if not line:
        raise BorgerchatError("no password on standard input")
    return line


@consultant_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    name: Annotated[str, typer.Option("--name", help="Name shown to colleagues.")],
    team: Annotated[str, typer.Option("--team", help="Team name; created if new.")],
    role: Annotated[str, typer.Option("--role", help="consultant or admin.")] = "consultant",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    system_admin: Annotated[
        bool,
        typer.Option(
            "--system-admin", help="Reads every team's conversations and audit log (a DPO)."
        ),
    ] = False,
) -> None:
    """Create a consultant account; without --password-stdin a random password is printed."""
    from bot.cli.exits import fail
    from bot.runtime.config import load_config
    from bot.store.db import create_session_factory, transaction

    try:
        password = _password_from_stdin() if password_stdin else secrets.token_urlsafe(12)
    except BorgerchatError as exc:
        raise fail(str(exc), 1) from exc
    engine = _migrated_engine(load_config().database_url)
    try:
        with transaction(create_session_factory(engine)) as db:
            upsert_consultant(
                db,
                username=username,
                display_name=name,
                team=team,
                role=role,
                password=password,
                replace=False,
                system_admin=system_admin,
            )
    except BorgerchatError as exc:
        raise fail(str(exc), 1) from exc
    finally:
        engine.dispose()
    kind = f"system admin ({role})" if system_admin else role
    typer.echo(f"created {kind} {username.strip().lower()} in team {team!r}")
    if not password_stdin:
        typer.echo(f"password: {password}")


def _change_account(username: str, change: Callable[[Consultant], None]) -> None:
    """Apply ``change`` to one account and end its login sessions."""
    from sqlalchemy import delete

    from bot.cli.exits import fail
    from bot.runtime.config import load_config
    from bot.store.db import create_session_factory, transaction
    from bot.store.models import Consultant, LoginSession

    engine = _migrated_engine(load_config().database_url)
    try:
        with transaction(create_session_factory(engine)) as db:
            account = db.scalars(
                select(Consultant).where(Consultant.username == username.strip().lower())
            ).first()
            if account is None:
                raise fail(f"no consultant named {username!r}", 1)
            change(account)
            db.execute(delete(LoginSession).where(LoginSession.consultant_id == account.id))
    finally:
        engine.dispose()


@consultant_app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a new password (random and printed unless --password-stdin); logs the account out."""
    from bot.cli.exits import fail
    from bot.inbox.auth import MIN_PASSWORD_LENGTH, hash_password

    try:
        password = _password_from_stdin() if password_stdin else secrets.token_urlsafe(12)
    except BorgerchatError as exc:
        raise fail(str(exc), 1) from exc
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password needs at least {MIN_PASSWORD_LENGTH} characters", 1)

    def change(account: Consultant) -> None:
        account.password_hash = hash_password(password)
        account.active = True

    _change_account(username, change)
    typer.echo(f"password of {username.strip().lower()} changed")
    if not password_stdin:
        typer.echo(f"password: {password}")


@consultant_app.command("set-system-admin")
def set_system_admin(
    username: Annotated[str, typer.Argument(help="Login name.")],
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Take the right away instead of giving it.")
    ] = False,
) -> None:
    """Let an account read every team's conversations, citizens and audit log (or --revoke it);
    its changes stay within its own team. Logs the account out."""

    def change(account: Consultant) -> None:
        account.system_admin = not revoke

    _change_account(username, change)
    state = "no longer a system admin" if revoke else "a system admin: reads every team"
    typer.echo(f"{username.strip().lower()} is {state}")


@consultant_app.command("deactivate")
def deactivate(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Stop an account from logging in and end its sessions (history and audit entries stay)."""

    def change(account: Consultant) -> None:
        account.active = False

    _change_account(username, change)
    typer.echo(f"{username.strip().lower()} can no longer log in")


@consultant_app.command("demo-login")
def demo_login(
    team: Annotated[str, typer.Option("--team", help="The demo team.")] = DEMO_TEAM,
    fixed_password: Annotated[
        bool,
        typer.Option("--fixed-password", help=f"Use {DEMO_PASSWORD!r} even on PostgreSQL."),
    ] = False,
) -> None:
    """Ensure the demo admin account exists and print its login (safe to run again)."""
    from bot.runtime.config import load_config
    from bot.store.db import create_session_factory, transaction

    config = load_config()
    engine = _migrated_engine(config.database_url)
    # A well-known password is fine for the laptop demo's SQLite file, never for a server.
    fixed = fixed_password or engine.dialect.name == "sqlite"
    password = DEMO_PASSWORD if fixed else secrets.token_urlsafe(12)
    try:
        with transaction(create_session_factory(engine)) as db:
            upsert_consultant(
                db,
                username=DEMO_USERNAME,
                display_name="Demo Konsulent",
                team=team,
                role="admin",
                password=password,
                replace=True,
            )
            _ensure_demo_location(db, _team(db, team))
    finally:
        engine.dispose()
    public_url = config.settings.server.public_url
    typer.echo(
        f"  consultant inbox: {public_url}/inbox  user: {DEMO_USERNAME}  password: {password}"
    )
