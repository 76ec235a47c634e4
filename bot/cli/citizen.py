"""Staff commands for citizens' data rights and retention: ``borgerchat citizen ...``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bot.domain.citizen_data import delete_citizen, export_citizen, purge_expired
from bot.kernel.errors import CitizenNotFound

if TYPE_CHECKING:
    from bot.services import Services

citizen_app = typer.Typer(help="A citizen's data: export, delete, retention.", no_args_is_help=True)


def _services() -> Services:
    from bot.runtime.config import load_config
    from bot.wiring import build_services

    return build_services(load_config())


@citizen_app.command("export")
def export(citizen_id: Annotated[int, typer.Argument(help="The citizen's id.")]) -> None:
    """Print everything stored about a citizen as JSON."""
    from bot.store.db import transaction

    services = _services()
    try:
        with transaction(services.session_factory) as session:
            data = export_citizen(session, citizen_id)
    except CitizenNotFound:
        typer.echo(f"borgerchat: no citizen with id {citizen_id}", err=True)
        raise typer.Exit(1) from None
    finally:
        services.close()
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@citizen_app.command("delete")
def delete(
    citizen_id: Annotated[int, typer.Argument(help="The citizen's id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a citizen and their data (bookings stay, anonymous, for statistics)."""
    from bot.store.db import transaction

    if not yes:
        typer.confirm(f"Delete citizen {citizen_id} and all their data?", abort=True)
    services = _services()
    try:
        with transaction(services.session_factory) as session:
            delete_citizen(session, citizen_id, services.clock.now(), services.booking_listeners)
    except CitizenNotFound:
        typer.echo(f"borgerchat: no citizen with id {citizen_id}", err=True)
        raise typer.Exit(1) from None
    finally:
        services.close()
    typer.echo(f"citizen {citizen_id} deleted")


@citizen_app.command("purge")
def purge() -> None:
    """Apply the retention rules now (privacy.retention); the server also runs them daily."""
    from bot.store.db import transaction

    services = _services()
    try:
        with transaction(services.session_factory) as session:
            report = purge_expired(
                session,
                services.clock.now(),
                services.config.settings.privacy.retention,
                services.booking_listeners,
            )
    finally:
        services.close()
    typer.echo(
        f"purged: {report.message_texts} message texts, {report.summaries} summaries, "
        f"{report.absence_notes} absence notes, {report.internal_notes} internal notes, "
        f"{report.bookings_detached} bookings detached, {report.queue_waits} queue waits, "
        f"{report.flow_notes} chat notes, {report.absence_notices} absence notices, "
        f"{report.job_profiles} job profiles, {report.citizens} inactive citizens, "
        f"{report.audit_entries} audit entries"
    )
