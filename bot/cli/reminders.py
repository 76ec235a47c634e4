"""``borgerchat reminders``: list scheduled reminders, statistics, check-ins, one dispatch pass."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

import typer

from bot.runtime.config import load_config
from bot.store.models import Citizen, ReminderStatus

reminders_app = typer.Typer(help="Meeting reminders and check-ins.", no_args_is_help=True)


def _local(moment: datetime | None, tz: Any) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "-"


@reminders_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, times in UTC.")] = False,
    status: Annotated[
        list[str] | None,
        typer.Option(help="Statuses to show (repeatable); default: scheduled."),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Every status.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 500,
) -> None:
    """Reminders by due time: booking, due time (Copenhagen), channel, status."""
    from bot.domain.reminders.statistics import list_reminders
    from bot.store.db import create_db_engine, create_session_factory, transaction

    valid = {item.value for item in ReminderStatus}
    statuses = [] if show_all else (status or [ReminderStatus.SCHEDULED.value])
    unknown = [item for item in statuses if item not in valid]
    if unknown:
        typer.echo(
            f"borgerchat: unknown status {unknown[0]!r} (one of {', '.join(sorted(valid))})",
            err=True,
        )
        raise typer.Exit(2)
    config = load_config()
    engine = create_db_engine(config.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            rows = list_reminders(session, statuses=statuses, limit=limit)
    finally:
        engine.dispose()
    if as_json:
        payload = [
            {
                **asdict(row),
                "due_at": row.due_at.isoformat(),
                "meeting_at": row.meeting_at.isoformat() if row.meeting_at else None,
            }
            for row in rows
        ]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    tz = config.settings.tz
    if not rows:
        typer.echo("no reminders")
        return
    typer.echo(
        f"{'id':>6}  {'booking':>7}  {'kind':<12} {'due (local)':<16}  "
        f"{'channel':<8} {'status':<9} meeting"
    )
    for row in rows:
        booking = str(row.booking_id) if row.booking_id else f"ci{row.check_in_id}"
        meeting = _local(row.meeting_at, tz)
        if row.consultant:
            meeting += f" with {row.consultant}"
        typer.echo(
            f"{row.id:>6}  {booking:>7}  {row.kind:<12} {_local(row.due_at, tz):<16}  "
            f"{row.channel or '-':<8} {row.status:<9} {meeting}"
        )


@reminders_app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Confirmed, cancelled and no-show bookings per reminder policy."""
    from bot.domain.reminders.statistics import reminder_statistics
    from bot.store.db import create_db_engine, create_session_factory, transaction

    config = load_config()
    engine = create_db_engine(config.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            rows = reminder_statistics(session)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps([asdict(row) for row in rows], indent=2))
        return
    typer.echo(f"{'policy':<16} {'bookings':>8} {'confirmed':>9} {'cancelled':>9} {'no-show':>8}")
    for row in rows:
        typer.echo(
            f"{row.policy:<16} {row.bookings:>8} {row.confirmed:>9} {row.cancelled:>9} "
            f"{row.no_show:>8}"
        )


@reminders_app.command("check-in")
def check_in_command(
    citizen_id: Annotated[int, typer.Argument(help="The citizen's id.")],
    weeks: Annotated[int | None, typer.Option(min=1, max=52, help="Every this many weeks.")] = None,
    stop: Annotated[bool, typer.Option(help="Stop the citizen's check-ins.")] = False,
    consultant: Annotated[int | None, typer.Option(help="The consultant setting it.")] = None,
) -> None:
    """Set (``--weeks N``) or stop (``--stop``) a citizen's recurring "Hvordan går det?"."""
    from bot.domain.reminders.planning import ReminderPlanner
    from bot.domain.reminders.policy import ReminderPolicy
    from bot.kernel.clock import SystemClock
    from bot.store.db import create_db_engine, create_session_factory, transaction

    if (weeks is None) == (not stop):
        typer.echo("borgerchat: give either --weeks N or --stop", err=True)
        raise typer.Exit(2)
    config = load_config()
    engine = create_db_engine(config.database_url)
    policy = ReminderPolicy.from_settings(config.settings)
    try:
        with transaction(create_session_factory(engine)) as session:
            citizen = session.get(Citizen, citizen_id)
            if citizen is None:
                typer.echo(f"borgerchat: no citizen with id {citizen_id}", err=True)
                raise typer.Exit(1)
            now = SystemClock().now()
            ReminderPlanner(policy).set_check_in(
                session, citizen, None if stop else weeks, now, consultant_id=consultant
            )
    finally:
        engine.dispose()
    typer.echo("check-in stopped" if stop else f"check-in every {weeks} weeks")


@reminders_app.command("dispatch")
def dispatch_command() -> None:
    """Send the reminders due now, once (the server's scheduler does this by itself)."""
    from bot.domain.reminders.dispatch import ReminderDispatcher
    from bot.kernel.clock import SystemClock
    from bot.store.db import create_db_engine, create_session_factory
    from flows.content import Content

    config = load_config()
    engine = create_db_engine(config.database_url)
    try:
        dispatcher = ReminderDispatcher(
            session_factory=create_session_factory(engine),
            clock=SystemClock(),
            content=Content.load(),
            settings=config.settings,
        )
        counts = dispatcher.dispatch_due()
    finally:
        engine.dispose()
    typer.echo(
        f"sent {counts.sent}, skipped {counts.skipped}, cancelled {counts.cancelled}, "
        f"failed {counts.failed}, postponed {counts.postponed}"
    )
