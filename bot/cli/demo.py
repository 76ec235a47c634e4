"""A demo jobcenter to try the bot with: `borgerchat demo seed`.

One team, three consultants, an office, an open-counselling room in a housing area, a phone
"location" for callbacks, weekly opening hours and consultant slots for the coming weeks,
relative to the clock. Running it again changes nothing that exists and tops up future slots,
so `make run` can call it every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli.demo_history import seed_history
from bot.store.models import Consultant, Location, LocationKind, OpeningHours, Slot, Team

demo_app = typer.Typer(help="Demo data for trying the bot.", no_args_is_help=True)

# The same team the inbox's `consultant demo-login` puts the demo admin in.
TEAM_NAME = "Jobcenter Demo"
CONSULTANTS = (
    ("demo.anna", "Anna Holm"),
    ("demo.karim", "Karim Said"),
    ("demo.lise", "Lise Berg"),
)
OFFICE = "Jobcentret"
ROOM = "Åben rådgivning i Bydelshuset"
PHONE = "Telefon (vi ringer dig op)"
LOCATIONS = (
    (
        OFFICE,
        "Demovej 1, 2300 København S",
        LocationKind.OFFICE,
        "Meld dig i receptionen i stueetagen.",
    ),
    (
        ROOM,
        "Boligvej 12, 2450 København SV",
        LocationKind.OPEN_COUNSELLING,
        "Lokalet ligger i kælderen ved opgang B. Ring på døren.",
    ),
    (PHONE, None, LocationKind.PHONE, None),
)
# (location, weekdays, opens, closes); Monday is 0.
OPENING_HOURS = (
    (OFFICE, (0, 1, 2, 3, 4), time(9), time(15)),
    (ROOM, (1,), time(10), time(14)),
    (ROOM, (3,), time(13), time(17)),
    (PHONE, (0, 1, 2, 3, 4), time(9), time(15)),
)
SLOT_MINUTES = 45


@dataclass(frozen=True, slots=True)
class Shift:
    """When one consultant meets citizens: weekday, location, start times (local)."""

    username: str
    location: str
    weekdays: tuple[int, ...]
    starts: tuple[time, ...]


SHIFTS = (
    Shift("demo.anna", OFFICE, (0, 2, 4), (time(9), time(10), time(11), time(13), time(14))),
    Shift("demo.karim", ROOM, (1,), (time(10), time(11), time(12), time(13))),
    Shift("demo.karim", ROOM, (3,), (time(13), time(14), time(15), time(16))),
    Shift("demo.lise", OFFICE, (1, 3), (time(9), time(10), time(11))),
    Shift("demo.lise", PHONE, (0, 1, 2, 3, 4), (time(12), time(12, 30), time(14))),
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    created: dict[str, int]


def seed_demo(session: Session, now: datetime, tz: ZoneInfo, weeks: int = 3) -> SeedReport:
    """Create what is missing; never duplicate. Slots cover ``weeks`` from today."""
    created = {"teams": 0, "consultants": 0, "locations": 0, "opening_hours": 0, "slots": 0}
    team = session.scalars(select(Team).where(Team.name == TEAM_NAME)).first()
    if team is None:
        team = Team(name=TEAM_NAME, created_at=now)
        session.add(team)
        session.flush()
        created["teams"] += 1

    consultants: dict[str, Consultant] = {}
    for username, display_name in CONSULTANTS:
        consultant = session.scalars(
            select(Consultant).where(Consultant.username == username)
        ).first()
        if consultant is None:
            consultant = Consultant(
                team_id=team.id, username=username, display_name=display_name, created_at=now
            )
            session.add(consultant)
            created["consultants"] += 1
        consultants[username] = consultant

    locations: dict[str, Location] = {}
    for name, address, kind, directions in LOCATIONS:
        location = session.scalars(
            select(Location).where(Location.team_id == team.id, Location.name == name)
        ).first()
        if location is None:
            location = Location(
                team_id=team.id,
                name=name,
                address=address,
                kind=kind.value,
                directions=directions,
            )
            session.add(location)
            created["locations"] += 1
        locations[name] = location
    session.flush()

    for name, weekdays, opens, closes in OPENING_HOURS:
        location = locations[name]
        for weekday in weekdays:
            exists = session.scalars(
                select(OpeningHours).where(
                    OpeningHours.location_id == location.id,
                    OpeningHours.weekday == weekday,
                    OpeningHours.opens == opens,
                )
            ).first()
            if exists is None:
                session.add(
                    OpeningHours(
                        location_id=location.id, weekday=weekday, opens=opens, closes=closes
                    )
                )
                created["opening_hours"] += 1

    today = now.astimezone(tz).date()
    horizon = today + timedelta(weeks=weeks)
    ids = [consultant.id for consultant in consultants.values()]
    existing = {
        (consultant_id, starts_at)
        for consultant_id, starts_at in session.execute(
            select(Slot.consultant_id, Slot.starts_at).where(
                Slot.consultant_id.in_(ids),
                Slot.starts_at >= now,
            )
        ).all()
    }
    day = today
    while day < horizon:
        for shift in SHIFTS:
            if day.weekday() not in shift.weekdays:
                continue
            consultant = consultants[shift.username]
            for start in shift.starts:
                starts_at = datetime.combine(day, start, tzinfo=tz).astimezone(now.tzinfo)
                if starts_at <= now or (consultant.id, starts_at) in existing:
                    continue
                session.add(
                    Slot(
                        consultant_id=consultant.id,
                        location_id=locations[shift.location].id,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=SLOT_MINUTES),
                        created_at=now,
                    )
                )
                existing.add((consultant.id, starts_at))
                created["slots"] += 1
        day += timedelta(days=1)
    session.flush()
    return SeedReport(created)


def seed_demo_with_history(session: Session, now: datetime, tz: ZoneInfo, weeks: int) -> SeedReport:
    """The demo jobcenter and its past (``bot.cli.demo_history``): what `demo seed` makes.

    Tests seed without the past, so their citizens are the only ones."""
    report = seed_demo(session, now, tz, weeks)
    team = session.scalars(select(Team).where(Team.name == TEAM_NAME)).one()
    consultant = session.scalars(
        select(Consultant).where(Consultant.username == SHIFTS[0].username)
    ).one()
    office = session.scalars(
        select(Location).where(Location.team_id == team.id, Location.name == OFFICE)
    ).one()
    report.created["past_bookings"] = seed_history(session, now, tz, team, consultant, office)
    return report


@demo_app.command("seed")
def seed_command(
    weeks: int = typer.Option(3, min=1, max=12, help="How many weeks of slots to keep ahead."),
) -> None:
    """Load the demo jobcenter (safe to run again: tops up future slots, never duplicates)."""
    from bot.kernel.clock import SystemClock
    from bot.runtime.config import load_config
    from bot.store.db import create_db_engine, create_session_factory, transaction

    config = load_config()
    engine = create_db_engine(config.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            report = seed_demo_with_history(session, SystemClock().now(), config.settings.tz, weeks)
    finally:
        engine.dispose()
    summary = ", ".join(f"{count} {name}" for name, count in report.created.items())
    typer.echo(f"demo jobcenter ready (created: {summary})")
