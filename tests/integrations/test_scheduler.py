"""The scheduler runs the reminder pass in the app, and the daily housekeeping jobs."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Message
from bot.wiring import run_retention_purge
from integrations.scheduler import ReminderScheduler
from tests.chat import ChatTester
from tests.reminder_dispatch import MEETING, book, dispatcher_for, outbox


def test_the_scheduler_runs_in_the_app_and_sends_due_reminders(services: Services) -> None:
    book(services)
    services_clock = FixedClock(MEETING - timedelta(hours=47))
    worker = ReminderScheduler(dispatcher_for(services, services_clock), interval_seconds=0.05)
    worker.start_in_thread(first_run_delay=0)
    try:
        deadline = time.monotonic() + 20
        while not outbox(services) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop_thread()
    assert len(outbox(services)) == 1
    assert worker.passes >= 1


def test_the_app_starts_and_stops_the_reminder_scheduler(services: Services) -> None:
    from fastapi.testclient import TestClient

    from bot.wiring import create_app

    [worker] = [w for w in services.workers if w.name == "reminders"]
    assert isinstance(worker, ReminderScheduler)
    with TestClient(create_app(services)):
        assert worker._scheduler is not None
    assert worker._scheduler is None


def test_a_second_app_on_the_same_services_leaves_no_scheduler_running(
    services: Services,
) -> None:
    from fastapi.testclient import TestClient

    from bot.wiring import create_app

    [worker] = [w for w in services.workers if w.name == "reminders"]
    assert isinstance(worker, ReminderScheduler)
    before = {thread.ident for thread in threading.enumerate()}
    with TestClient(create_app(services)), TestClient(create_app(services)):
        assert worker._scheduler is not None
    assert worker._scheduler is None
    # Threads that were told to stop may take a moment to end (a test client's portal, an
    # executor); a scheduler left running never does.
    extra = [thread for thread in threading.enumerate() if thread.ident not in before]
    for thread in extra:
        thread.join(timeout=10)
    assert [thread.name for thread in extra if thread.is_alive()] == []


def test_a_server_can_run_without_the_scheduler(app_config: Any, engine: Any) -> None:
    from bot.runtime.config import load_config
    from bot.wiring import build_services

    config = load_config(
        env={
            "DATABASE_URL": app_config.database_url,
            "BORGERCHAT_REMINDERS__SCHEDULER_ENABLED": "false",
        }
    )
    services = build_services(config, engine=engine)
    # Only the live feed of the inbox and web chat is left; it schedules nothing.
    assert [worker.name for worker in services.workers] == ["live-feed"]


def test_the_privacy_retention_purge_is_scheduled_daily_at_half_past_three(
    services: Services,
) -> None:
    scheduler = next(w for w in services.workers if w.name == "reminders")
    assert isinstance(scheduler, ReminderScheduler)
    scheduler.start_in_thread(first_run_delay=3600)
    try:
        job = scheduler._scheduler.get_job("privacy_retention")
        local = job.next_run_time.astimezone(ZoneInfo("Europe/Copenhagen"))
        assert (local.hour, local.minute) == (3, 30)
    finally:
        scheduler.stop_thread()


def test_the_retention_job_deletes_old_text(services: Services) -> None:
    ChatTester(services).say("en gammel besked")
    clock = services.clock
    assert isinstance(clock, FixedClock)
    clock.set(clock.now() + timedelta(days=services.config.settings.privacy.retention.messages + 1))
    report = run_retention_purge(services.session_factory, clock, services.config.settings)
    assert report.message_texts >= 1
    with transaction(services.session_factory) as session:
        assert session.scalars(select(Message.text)).all() == [None] * report.message_texts
