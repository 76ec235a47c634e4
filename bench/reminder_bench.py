"""Reminder benchmark: plan 100,000 reminders, make 10,000 due at once, dispatch, check.

Prints: the time to plan the reminders through the booking listener, the time for one or more
dispatcher processes (nodes) to turn the due reminders into outbox messages, each node's peak
memory (max RSS), the time the outbox then needs at the configured channel rates, and whether
any reminder was lost or sent twice.

    .venv/bin/python bench/reminder_bench.py                      # SQLite file in a temp dir
    .venv/bin/python bench/reminder_bench.py --database-url postgresql://postgres@127.0.0.1/x \\
        --nodes 2                                                   # a fresh PostgreSQL database

With a PostgreSQL URL the named database is created fresh and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import selectinload

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.domain.reminders.planning import ReminderPlanner  # noqa: E402
from bot.domain.reminders.policy import ReminderPolicy  # noqa: E402
from bot.kernel.clock import FixedClock  # noqa: E402
from bot.runtime.config import load_config  # noqa: E402
from bot.store.db import create_db_engine, create_session_factory, normalise_url, transaction  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.store.models import (  # noqa: E402
    Booking,
    ChannelIdentity,
    Citizen,
    Consultant,
    Location,
    Message,
    Reminder,
    Slot,
    Team,
)

# The moment the burst is due (a Monday morning in Copenhagen, after downtime).
DUE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLANNED_AT = DUE_AT - timedelta(days=1)
CONSULTANTS = 50
LISTENER_SAMPLE = 1000


def setup(url: str, reminders: int, due: int) -> dict[str, float]:
    config = load_config(env={"DATABASE_URL": url})
    engine = create_db_engine(url, pool_size=4)
    upgrade(engine)
    policy = ReminderPolicy.from_settings(config.settings)
    per_booking = len(policy.hours_before)
    bookings = reminders // per_booking
    citizens = max(1, bookings // 3)
    started = time.perf_counter()
    with engine.begin() as connection:
        team_id = connection.execute(
            insert(Team).values(name="Bench").returning(Team.id)
        ).scalar_one()
        connection.execute(
            insert(Consultant),
            [
                {
                    "team_id": team_id,
                    "username": f"c{n}",
                    "display_name": f"Konsulent {n}",
                    "role": "consultant",
                    "active": True,
                    "created_at": PLANNED_AT,
                }
                for n in range(CONSULTANTS)
            ],
        )
        consultant_ids = list(
            connection.execute(select(Consultant.id).order_by(Consultant.id)).scalars()
        )
        location_id = connection.execute(
            insert(Location)
            .values(team_id=team_id, name="Jobcenter Nord", address="Nørregade 4", kind="office")
            .returning(Location.id)
        ).scalar_one()
        for first in range(0, citizens, 5000):
            chunk = range(first, min(first + 5000, citizens))
            connection.execute(
                insert(Citizen),
                [
                    {
                        "phone": f"+4520{n:06d}",
                        "language": "da",
                        "last_channel": "sms",
                        "reminders_opted_out": False,
                        "sms_opted_out": False,
                        "created_at": PLANNED_AT,
                        "last_seen_at": PLANNED_AT,
                    }
                    for n in chunk
                ],
            )
        citizen_ids = list(connection.execute(select(Citizen.id).order_by(Citizen.id)).scalars())
        for first in range(0, citizens, 5000):
            connection.execute(
                insert(ChannelIdentity),
                [
                    {
                        "citizen_id": citizen_ids[n],
                        "channel": "sms",
                        "address": f"+4520{n:06d}",
                        "created_at": PLANNED_AT,
                        "last_seen_at": PLANNED_AT,
                    }
                    for n in range(first, min(first + 5000, citizens))
                ],
            )
        # Meetings from three days after the burst, on the hour, 08:00-15:00 UTC on weekdays.
        hours = [
            DUE_AT + timedelta(days=3 + day, hours=hour - 9)
            for day in range(0, 400)
            for hour in range(8, 16)
        ]
        for first in range(0, bookings, 5000):
            rows = []
            for k in range(first, min(first + 5000, bookings)):
                starts = hours[k // CONSULTANTS]
                rows.append(
                    {
                        "consultant_id": consultant_ids[k % CONSULTANTS],
                        "location_id": location_id,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(minutes=45),
                        "created_at": PLANNED_AT,
                    }
                )
            connection.execute(insert(Slot), rows)
        slots = connection.execute(
            select(Slot.id, Slot.consultant_id, Slot.starts_at, Slot.ends_at).order_by(Slot.id)
        ).all()
        for first in range(0, bookings, 5000):
            connection.execute(
                insert(Booking),
                [
                    {
                        "citizen_id": citizen_ids[k % citizens],
                        "slot_id": slots[k].id,
                        "consultant_id": slots[k].consultant_id,
                        "location_id": location_id,
                        "starts_at": slots[k].starts_at,
                        "ends_at": slots[k].ends_at,
                        "status": "booked",
                        "booked_via": "sms",
                        "created_at": PLANNED_AT,
                    }
                    for k in range(first, min(first + 5000, bookings))
                ],
            )
    data_seconds = time.perf_counter() - started

    # Plan reminders through the booking listener (as a booking flow does, one booking per
    # transaction) for a sample, and for the rest with the same planning in bulk inserts.
    planner = ReminderPlanner(policy)
    factory = create_session_factory(engine)
    with transaction(factory) as session:
        booking_ids = list(session.scalars(select(Booking.id).order_by(Booking.id)))
    sample = booking_ids[:LISTENER_SAMPLE]
    started = time.perf_counter()
    for booking_id in sample:
        with transaction(factory) as session:
            booking = session.get(Booking, booking_id)
            assert booking is not None
            planner.booking_changed(session, booking, PLANNED_AT)
    listener_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rest = booking_ids[LISTENER_SAMPLE:]
    for first in range(0, len(rest), 2000):
        with transaction(factory) as session:
            chunk = session.scalars(
                select(Booking)
                .where(Booking.id.in_(rest[first : first + 2000]))
                .options(selectinload(Booking.citizen))
            ).all()
            rows = []
            for booking in chunk:
                assert booking.citizen is not None
                booking.reminder_policy = policy.name
                for plan in planner.plan_booking(booking, booking.citizen, PLANNED_AT):
                    rows.append(
                        {
                            "dedupe_key": plan.dedupe_key,
                            "citizen_id": booking.citizen_id,
                            "booking_id": booking.id,
                            "kind": plan.kind.value,
                            "hours_before": plan.hours_before,
                            "planned_at": plan.planned_at,
                            "due_at": plan.due_at,
                            "channel": "sms",
                            "status": "scheduled",
                            "policy": policy.name,
                            "created_at": PLANNED_AT,
                            "updated_at": PLANNED_AT,
                        }
                    )
            session.execute(insert(Reminder), rows)
    bulk_seconds = time.perf_counter() - started

    with engine.begin() as connection:
        planned = connection.execute(select(func.count()).select_from(Reminder)).scalar_one()
        # A burst: the first ``due`` 48-hour reminders all come due at the same moment.
        burst = (
            select(Reminder.id).where(Reminder.hours_before == 48).order_by(Reminder.id).limit(due)
        )
        connection.execute(update(Reminder).where(Reminder.id.in_(burst)).values(due_at=DUE_AT))
    engine.dispose()
    return {
        "data_seconds": data_seconds,
        "listener_seconds": listener_seconds,
        "listener_bookings": len(sample),
        "bulk_seconds": bulk_seconds,
        "bulk_bookings": len(rest),
        "planned": planned,
    }


def dispatch_node(url: str) -> None:
    """One node: dispatch everything due at DUE_AT, print JSON figures."""
    from bot.domain.reminders.dispatch import ReminderDispatcher
    from flows.content import Content

    config = load_config(env={"DATABASE_URL": url})
    engine = create_db_engine(url, pool_size=2)
    dispatcher = ReminderDispatcher(
        session_factory=create_session_factory(engine),
        clock=FixedClock(DUE_AT + timedelta(seconds=1)),
        content=Content.load(),
        settings=config.settings,
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    counts = dispatcher.dispatch_due()
    seconds = time.perf_counter() - started
    engine.dispose()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "sent": counts.sent,
                "skipped": counts.skipped,
                "postponed": counts.postponed,
                "failed": counts.failed,
                "max_rss_mb_before": rss_before / 1024,
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def verify(url: str, due: int, planned: int) -> dict[str, object]:
    engine = create_db_engine(url, pool_size=2)
    with engine.connect() as connection:
        sent = connection.execute(
            select(func.count()).select_from(Reminder).where(Reminder.status == "sent")
        ).scalar_one()
        distinct_messages = connection.execute(
            select(func.count(func.distinct(Reminder.message_id))).where(Reminder.status == "sent")
        ).scalar_one()
        messages = connection.execute(select(func.count()).select_from(Message)).scalar_one()
        scheduled = connection.execute(
            select(func.count()).select_from(Reminder).where(Reminder.status == "scheduled")
        ).scalar_one()
        queued_sms = connection.execute(
            select(func.count()).select_from(Message).where(Message.channel == "sms")
        ).scalar_one()
    engine.dispose()
    return {
        "sent": sent,
        "messages": messages,
        "distinct_message_ids": distinct_messages,
        "still_scheduled": scheduled,
        "sms_in_outbox": queued_sms,
        "lost": due - sent,
        "doubled": messages - distinct_messages,
        "ok": sent == due == messages == distinct_messages and scheduled == planned - due,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", help="PostgreSQL server URL (a fresh database is made)")
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=1, help="dispatcher processes at once")
    parser.add_argument("--node", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.node:
        dispatch_node(args.node)
        return

    admin = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            server = normalise_url(args.database_url)
            name = f"borgerchat_bench_{secrets.token_hex(4)}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp}/bench.db"
        try:
            backend = make_url(url).get_backend_name()
            print(
                f"reminder bench on {backend}: {args.reminders:,} reminders, "
                f"{args.due:,} due at once, {args.nodes} node(s)"
            )
            figures = setup(url, args.reminders, args.due)
            planned = int(figures["planned"])
            print(f"  test data (citizens, slots, bookings): {figures['data_seconds']:.1f} s")
            per_booking = figures["listener_seconds"] / figures["listener_bookings"] * 1000
            print(
                f"  booking listener, one booking per transaction: "
                f"{figures['listener_bookings']:,.0f} bookings in "
                f"{figures['listener_seconds']:.1f} s ({per_booking:.1f} ms per booking)"
            )
            print(
                f"  bulk planning (same rules) of {figures['bulk_bookings']:,.0f} bookings: "
                f"{figures['bulk_seconds']:.1f} s; {planned:,} reminders scheduled"
            )
            started = time.perf_counter()
            nodes = [
                subprocess.Popen(
                    [sys.executable, __file__, "--node", url], stdout=subprocess.PIPE, text=True
                )
                for _ in range(args.nodes)
            ]
            results = []
            for node in nodes:
                output, _ = node.communicate()
                if node.returncode != 0:
                    raise SystemExit(f"a dispatcher node failed with exit code {node.returncode}")
                results.append(json.loads(output.strip().splitlines()[-1]))
            wall = time.perf_counter() - started
            for number, result in enumerate(results, start=1):
                print(
                    f"  node {number}: sent {result['sent']:,} in {result['seconds']:.1f} s, "
                    f"peak memory (max RSS) {result['max_rss_mb']:.0f} MB "
                    f"(after start-up {result['max_rss_mb_before']:.0f} MB)"
                )
            dispatched = sum(result["sent"] for result in results)
            slowest = max(result["seconds"] for result in results)
            print(
                f"  dispatch into the outbox: {dispatched:,} in {slowest:.1f} s "
                f"({dispatched / slowest:,.0f}/s); with process start {wall:.1f} s"
            )
            config = load_config(env={"DATABASE_URL": url})
            settings = config.settings
            print(
                f"  scheduler: first pass at most {settings.reminders.poll_interval_seconds:g} s "
                f"after due, {settings.reminders.batch_size} reminders per transaction"
            )
            sms_rate = settings.twilio.messages_per_second
            telegram_rate = settings.telegram.messages_per_second
            print(
                f"  outbox delivery at the configured rates: all SMS at {sms_rate:g}/s "
                f"{dispatched / sms_rate / 60:,.0f} min; all Telegram at {telegram_rate:g}/s "
                f"{dispatched / telegram_rate / 60:,.1f} min"
            )
            check = verify(url, args.due, planned)
            print(
                f"  lost: {check['lost']}, doubled: {check['doubled']}, "
                f"messages {check['messages']:,}, reminders sent {check['sent']:,}, "
                f"still scheduled {check['still_scheduled']:,} -> "
                f"{'OK' if check['ok'] else 'MISMATCH'}"
            )
            if not check["ok"]:
                raise SystemExit(1)
        finally:
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
