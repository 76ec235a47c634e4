"""The outbox sender: a background worker running one send lane per channel, each with its own
rate limits, and a heartbeat that keeps its claims on the sends on the way (see the package)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from functools import partial

from bot.domain.outbox_fate import DELIVERY_UNKNOWN
from bot.kernel.clock import Clock
from bot.kernel.messages import Channel
from bot.runtime.config import OutboxSettings
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory
from integrations.outbox.identity import SenderIdentity
from integrations.outbox.lane import Lane, RateLimit
from integrations.outbox.outcomes import OutboxTransport
from integrations.outbox.store import OutboxStore

log = logging.getLogger(__name__)

__all__ = ["DELIVERY_UNKNOWN", "OutboxSender", "RateLimit"]


class OutboxSender:
    """Delivers queued messages of the channels it has a transport for (a BackgroundWorker)."""

    name = "outbox-sender"

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        settings: OutboxSettings,
        transports: Sequence[OutboxTransport],
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.settings = settings
        self.identity = SenderIdentity.new()
        self.store = OutboxStore(
            session_factory=session_factory,
            clock=clock,
            settings=settings,
            sender_id=str(self.identity),
            is_dead=self.identity.is_dead,
        )
        self._lanes: dict[Channel, Lane] = {
            t.channel: Lane(t, self.store, settings, lambda: self._stopping)
            for t in transports
            if t.channel != Channel.WEB  # the browser pulls web messages itself
        }
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._heartbeat_task: asyncio.Task[None] | None = None

    @property
    def channels(self) -> list[Channel]:
        return list(self._lanes)

    # BackgroundWorker
    async def start(self) -> None:
        self._stopping = False
        self.identity.revive()
        self._tasks = [
            asyncio.create_task(self._run(lane), name=f"{self.name}-{channel.value}")
            for channel, lane in self._lanes.items()
        ]
        self._heartbeat_task = asyncio.create_task(self._heartbeat(), name=f"{self.name}-heartbeat")

    async def stop(self) -> None:
        """Stop claiming; wait for the sends on the way, so their outcome is known."""
        self._stopping = True
        self.wake()
        if self._tasks:
            await asyncio.gather(*self._tasks)
            self._tasks = []
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
            self._heartbeat_task = None
        self.identity.retire()

    def wake(self) -> None:
        """Look for new rows now instead of at the next poll (called after an enqueue)."""
        for lane in self._lanes.values():
            lane.wake.set()

    async def run_once(self) -> int:
        """One round of every lane at once; return the rows handled."""
        counts = await asyncio.gather(*(lane.run_once() for lane in self._lanes.values()))
        return sum(counts)

    async def _run(self, lane: Lane) -> None:
        while not self._stopping:
            try:
                handled = await lane.run_once()
            except Exception:
                # The database or a transport is down: keep the lane alive and try again.
                log.exception("outbox round on %s failed", lane.channel.value)
                handled = 0
            if handled or self._stopping:
                continue
            lane.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lane.wake.wait(), self.settings.poll_interval_seconds)

    async def _heartbeat(self) -> None:
        """Renew the claims on sends on the way every third of ``claim_seconds``, so a claim can
        be short (a dead sender's rows free up soon) and a slow send is never taken over."""
        interval = self.settings.claim_seconds / 3
        while True:
            await asyncio.sleep(interval)
            held = [message_id for lane in self._lanes.values() for message_id in lane.held_ids()]
            if not held:
                continue
            try:
                await run_blocking(partial(self.store.renew, held))
            except Exception:
                log.exception("renewing outbox claims failed")
