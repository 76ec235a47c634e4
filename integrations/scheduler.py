"""The scheduler in the server: APScheduler runs the reminder pass periodically, and the daily
housekeeping jobs.

What a pass does is the domain's (``bot/domain/reminders/dispatch.py``); this module only runs
it on time, logs what it did and keeps a failing pass from stopping the next one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from bot.runtime.threads import run_blocking

log = logging.getLogger(__name__)


class PassCounts(Protocol):
    """What one reminder pass did, by outcome."""

    @property
    def sent(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    @property
    def cancelled(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def postponed(self) -> int: ...
    @property
    def handled(self) -> int: ...


class DuePass(Protocol):
    """Sends the reminders due now (the domain's ``ReminderDispatcher``)."""

    def dispatch_due(self) -> PassCounts: ...


@dataclass(frozen=True, slots=True)
class DailyJob:
    """Housekeeping run once a day at a local time (the privacy retention purge)."""

    id: str
    run: Callable[[], object]
    at: time
    timezone: str = "Europe/Copenhagen"


class ReminderScheduler:
    """A BackgroundWorker: APScheduler runs the reminder pass (:class:`DuePass`) periodically,
    and the daily housekeeping jobs.

    One interval job, ``max_instances=1`` and ``coalesce=True``: a slow pass is never run twice at
    once in a process, and missed runs collapse into one. Other nodes run their own job; the
    database keeps them apart.
    """

    name = "reminders"

    def __init__(
        self,
        dispatcher: DuePass,
        *,
        interval_seconds: float,
        daily_jobs: Sequence[DailyJob] = (),
    ) -> None:
        self.dispatcher = dispatcher
        self.interval_seconds = interval_seconds
        self.daily_jobs = tuple(daily_jobs)
        self._scheduler: Any = None
        self._lock = threading.Lock()
        self.passes = 0

    def run_once(self) -> PassCounts | None:
        """One pass; None when it failed."""
        with self._lock:
            try:
                counts = self.dispatcher.dispatch_due()
            except Exception:
                # The rows stay scheduled; the next pass tries again.
                log.exception("reminder dispatch failed")
                return None
            finally:
                self.passes += 1
            if counts.handled:
                log.info(
                    "reminders: %d sent, %d skipped, %d cancelled, %d failed, %d postponed",
                    counts.sent,
                    counts.skipped,
                    counts.cancelled,
                    counts.failed,
                    counts.postponed,
                )
            return counts

    def start_in_thread(self, *, first_run_delay: float | None = None) -> None:
        """Start the APScheduler background thread (also used outside an event loop); once:
        a second start while it runs would leave a thread that nothing stops."""
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(timezone="UTC")
        delay = self.interval_seconds if first_run_delay is None else first_run_delay
        scheduler.add_job(
            self.run_once,
            "interval",
            seconds=self.interval_seconds,
            id="dispatch_due_reminders",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now().astimezone() + timedelta(seconds=delay),
        )
        for job in self.daily_jobs:
            scheduler.add_job(
                _logged(job),
                "cron",
                hour=job.at.hour,
                minute=job.at.minute,
                timezone=job.timezone,
                id=job.id,
                max_instances=1,
                coalesce=True,
                # A server that was down at the hour runs the job when it comes back that day.
                misfire_grace_time=12 * 3600,
            )
        scheduler.start()
        self._scheduler = scheduler

    def stop_thread(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    async def start(self) -> None:
        self.start_in_thread()

    async def stop(self) -> None:
        # shutdown(wait=True) waits for a running pass: do not block the event loop meanwhile.
        await run_blocking(self.stop_thread)


def _logged(job: DailyJob) -> Callable[[], None]:
    def run() -> None:
        try:
            result = job.run()
        except Exception:
            log.exception("daily job %s failed; it runs again tomorrow", job.id)
            return
        log.info("daily job %s: %s", job.id, result)

    return run
