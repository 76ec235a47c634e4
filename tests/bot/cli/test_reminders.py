"""``borgerchat reminders``: list, stats, check-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.services import Services
from bot.store.db import transaction
from tests.conftest import REFERENCE_TIME
from tests.scheduling_data import make_booking, make_citizen

MEETING = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, database_url: str) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return CliRunner()


def booked(services: Services) -> tuple[int, int]:
    with transaction(services.session_factory) as session:
        citizen = make_citizen(session, now=REFERENCE_TIME)
        booking = make_booking(session, citizen, MEETING, now=REFERENCE_TIME)
        services.booking_listeners.changed(session, booking, REFERENCE_TIME)
        return booking.id, citizen.id


def test_list_json_shows_each_scheduled_reminder_with_booking_due_time_channel_status(
    services: Services, runner: CliRunner
) -> None:
    booking_id, _ = booked(services)
    result = runner.invoke(app, ["reminders", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["booking_id"], r["kind"], r["due_at"], r["channel"], r["status"]) for r in rows] == [
        (booking_id, "before", "2026-11-25T09:00:00+00:00", "sms", "scheduled"),
        (booking_id, "before", "2026-11-27T07:00:00+00:00", "sms", "scheduled"),
    ]


def test_list_prints_due_times_in_copenhagen_time(services: Services, runner: CliRunner) -> None:
    booked(services)
    result = runner.invoke(app, ["reminders", "list"])
    assert result.exit_code == 0, result.output
    assert "2026-11-25 10:00" in result.output
    assert "2026-11-27 10:00 with Mette Hansen" in result.output


def test_an_unknown_status_is_refused_by_name(runner: CliRunner) -> None:
    result = runner.invoke(app, ["reminders", "list", "--status", "gone"])
    assert result.exit_code == 2
    assert "unknown status 'gone'" in result.output


def test_stats_and_check_in_commands(services: Services, runner: CliRunner) -> None:
    _, citizen_id = booked(services)
    stats = runner.invoke(app, ["reminders", "stats", "--json"])
    assert json.loads(stats.output)[0]["policy"] == "48h+2h"
    result = runner.invoke(app, ["reminders", "check-in", str(citizen_id), "--weeks", "3"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["reminders", "list", "--json"]).output)
    assert [r["kind"] for r in listed].count("check_in") == 1
    missing = runner.invoke(app, ["reminders", "check-in", "999999", "--weeks", "3"])
    assert missing.exit_code == 1
