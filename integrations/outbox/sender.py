"""The outbox sender: a background worker that takes due rows one at a time, sends each through
its channel's transport at the channel's rate, and records the outcome (see the package)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from bot.kernel.clock import Clock
from bot.kernel.messages import Channel
from bot.runtime.config import OutboxSettings
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory
from integrations.outbox.outcomes import OutboxTransport, RetryLater, SendOutcome, Unknown
from integrations.outbox.store import Claimed, OutboxStore

log = logging.getLogger(__name__)

DELIVERY_UNKNOWN = (
    "delivery unknown: the sender stopped while sending and the provider cannot confirm; "
    "not resent to avoid a duplicate - please check with the citizen"
)


class RateLimit:
    """Evenly spaced sends: at most ``per_second`` per key, measured on a monotonic clock."""

    def __init__(self, per_second: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self._monotonic = monotonic
        self._next: dict[str, float] = {}

    def delay(self, key: str = "") -> float:
        return max(0.0, self._next.get(key, 0.0) - self._monotonic())

    def busy_keys(self) -> list[str]:
        now = self._monotonic()
        busy = [key for key, at in self._next.items() if at > now]
        # Forget idle keys so the map stays as small as the set of recently written chats.
        self._next = {key: self._next[key] for key in busy}
        return busy

    def consume(self, key: str = "") -> None:
        now = self._monotonic()
        self._next[key] = max(now, self._next.get(key, now)) + self.interval


@dataclass
class _Lane:
    transport: OutboxTransport
    overall: RateLimit
    per_address: RateLimit | None
    idle: bool = field(default=False)


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
        self.store = OutboxStore(session_factory=session_factory, clock=clock, settings=settings)
        self._lanes: dict[Channel, _Lane] = {
            t.channel: _Lane(
                transport=t,
                overall=RateLimit(t.messages_per_second),
                per_address=(
                    RateLimit(t.messages_per_address_per_second)
                    if t.messages_per_address_per_second
                    else None
                ),
            )
            for t in transports
            if t.channel != Channel.WEB  # the browser pulls web messages itself
        }
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def channels(self) -> list[Channel]:
        return list(self._lanes)

    # BackgroundWorker
    async def start(self) -> None:
        self._stopping = False
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    def wake(self) -> None:
        """Look for new rows now instead of at the next poll (called after an enqueue)."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.run_once()
            except Exception:
                # The database or a transport is down: keep the worker alive and try again.
                log.exception("outbox round failed")
                handled = 0
            if handled or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval_seconds)

    async def run_once(self) -> int:
        """Resolve stuck rows, then deliver up to ``batch_size`` due rows; return rows handled."""
        handled = await self._recover_stuck()
        for lane in self._lanes.values():
            lane.idle = False
        while handled < self.settings.batch_size and not self._stopping:
            progressed = False
            waits: list[float] = []
            for lane in [lane for lane in self._lanes.values() if not lane.idle]:
                await asyncio.sleep(lane.overall.delay())
                busy = lane.per_address.busy_keys() if lane.per_address else []
                channel = lane.transport.channel
                claimed = await run_blocking(partial(self.store.claim, channel, busy))
                if claimed is None:
                    if busy and lane.per_address:
                        # Maybe only rate-limited chats have work: look again once one frees up.
                        waits.append(min(lane.per_address.delay(key) for key in busy))
                    else:
                        lane.idle = True
                    continue
                progressed = True
                handled += 1
                if not isinstance(claimed, Claimed):  # settled without sending (SMS opt-out)
                    continue
                lane.overall.consume()
                if lane.per_address:
                    lane.per_address.consume(claimed.message.address)
                outcome = await self._send(lane.transport, claimed)
                await run_blocking(partial(self.store.record, claimed, outcome))
            if not progressed:
                if not waits:
                    break
                await asyncio.sleep(min(waits))
        return handled

    async def _send(self, transport: OutboxTransport, claimed: Claimed) -> SendOutcome:
        try:
            outcome = await transport.send(claimed.message)
        except Exception as exc:
            # A transport bug must not leave a row that may or may not have gone out unmarked.
            log.exception("transport %s raised", transport.channel.value)
            outcome = Unknown(f"{type(exc).__name__}: {exc}")
        if isinstance(outcome, Unknown):
            outcome = await self._verify(transport, claimed, outcome)
        return outcome

    async def _verify(
        self, transport: OutboxTransport, claimed: Claimed, unknown: Unknown
    ) -> SendOutcome:
        try:
            proof = await transport.verify(claimed.message, claimed.claimed_at)
        except Exception:
            log.exception("verifying outbox message %s failed", claimed.message.id)
            proof = unknown
        if isinstance(proof, Unknown):
            return Unknown(f"{DELIVERY_UNKNOWN} ({unknown.reason})")
        if isinstance(proof, RetryLater):
            # Provably not sent: retry, still honouring the provider's Retry-After.
            return RetryLater(unknown.reason, max(proof.retry_after, unknown.retry_after))
        return proof

    async def _recover_stuck(self) -> int:
        """Settle rows left ``sending`` past ``claimed_until``: prove the outcome, never guess."""
        stuck = await run_blocking(partial(self.store.claim_stuck, self.channels))
        for claimed in stuck:
            lane = self._lanes.get(claimed.message.channel)
            if lane is None:
                continue
            outcome = await self._verify(lane.transport, claimed, Unknown("sender interrupted"))
            if isinstance(outcome, RetryLater):
                await run_blocking(partial(self.store.requeue, claimed))
            else:
                await run_blocking(partial(self.store.record, claimed, outcome))
        return len(stuck)
