"""One channel's send lane: its own rate limits, its own loop, several sends on the way.

Each channel the sender serves has a lane, so an SMS backlog paced at one a second never holds
up a Telegram reply. Within a lane up to ``outbox.sends_in_flight_per_channel`` sends are on the
way at once, always to different chats: the claim only offers a chat's oldest unfinished row,
so one chat's messages still leave one at a time, in order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial

from bot.domain.outbox_fate import DELIVERY_UNKNOWN
from bot.runtime.config import OutboxSettings
from bot.runtime.threads import run_blocking
from integrations.outbox.outcomes import OutboxTransport, RetryLater, SendOutcome, Unknown
from integrations.outbox.store import Claimed, OutboxStore

log = logging.getLogger(__name__)

# Recording an outcome is retried this often before the row is left to the claim's expiry.
_RECORD_ATTEMPTS = 3


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


class Lane:
    """Claims, sends and records one channel's rows (see the module)."""

    def __init__(
        self,
        transport: OutboxTransport,
        store: OutboxStore,
        settings: OutboxSettings,
        stopping: Callable[[], bool],
    ) -> None:
        self.transport = transport
        self.channel = transport.channel
        self.store = store
        self.settings = settings
        self._stopping = stopping
        self.overall = RateLimit(transport.messages_per_second)
        per_chat = transport.messages_per_address_per_second
        self.per_address = RateLimit(per_chat) if per_chat else None
        # Message id -> its send, for the heartbeat and to wait on.
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self._settling: set[int] = set()
        self.wake = asyncio.Event()

    def held_ids(self) -> list[int]:
        """The rows this lane holds ``sending`` right now (their claims are renewed)."""
        return [*self.in_flight, *self._settling]

    async def run_once(self) -> int:
        """Settle stuck rows, then send up to ``batch_size`` due rows; return rows handled."""
        handled = await self.recover_stuck()
        while handled < self.settings.batch_size and not self._stopping():
            await asyncio.sleep(self.overall.delay())
            if len(self.in_flight) >= self.settings.sends_in_flight_per_channel:
                await self._wait_for_a_send(None)
                continue
            busy = self.per_address.busy_keys() if self.per_address else []
            claimed = await run_blocking(partial(self.store.claim, self.channel, busy))
            if claimed is None:
                # Nothing due but what rate-limited chats or sends on the way hold back: wait
                # for one of them to free up, or stop when there is neither.
                wait = None
                if self.per_address and busy:
                    wait = min(self.per_address.delay(key) for key in busy)
                if wait is None and not self.in_flight:
                    break
                await self._wait_for_a_send(wait)
                continue
            handled += 1
            if not isinstance(claimed, Claimed):  # settled without sending (SMS opt-out)
                continue
            self.overall.consume()
            if self.per_address:
                self.per_address.consume(claimed.message.address)
            self._start(claimed)
        if self.in_flight:
            await asyncio.wait(list(self.in_flight.values()))
        return handled

    def _start(self, claimed: Claimed) -> None:
        message_id = claimed.message.id
        task = asyncio.create_task(self._deliver(claimed), name=f"outbox-send-{message_id}")
        self.in_flight[message_id] = task
        task.add_done_callback(lambda _: self.in_flight.pop(message_id, None))

    async def _wait_for_a_send(self, timeout: float | None) -> None:
        if self.in_flight:
            await asyncio.wait(
                list(self.in_flight.values()), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        elif timeout:
            await asyncio.sleep(timeout)

    async def _deliver(self, claimed: Claimed) -> None:
        outcome = await self._send(claimed)
        for attempt in range(1, _RECORD_ATTEMPTS + 1):
            try:
                await run_blocking(partial(self.store.record, claimed, outcome))
                return
            except Exception:
                # The database is away: the outcome is known, keep trying to write it; after
                # that the claim runs out and the row is settled (proved, or flagged) later.
                log.exception("recording outbox message %s failed", claimed.message.id)
                if attempt < _RECORD_ATTEMPTS:
                    await asyncio.sleep(0.5 * attempt)

    async def _send(self, claimed: Claimed) -> SendOutcome:
        try:
            outcome = await self.transport.send(claimed.message)
        except Exception as exc:
            # A transport bug must not leave a row that may or may not have gone out unmarked.
            log.exception("transport %s raised", self.channel.value)
            outcome = Unknown(f"{type(exc).__name__}: {exc}")
        if isinstance(outcome, Unknown):
            outcome = await self._verify(claimed, outcome)
        return outcome

    async def _verify(self, claimed: Claimed, unknown: Unknown) -> SendOutcome:
        try:
            proof = await self.transport.verify(claimed.message, claimed.claimed_at)
        except Exception:
            log.exception("verifying outbox message %s failed", claimed.message.id)
            proof = unknown
        if isinstance(proof, Unknown):
            return Unknown(f"{DELIVERY_UNKNOWN} ({unknown.reason})")
        if isinstance(proof, RetryLater):
            # Provably not sent: retry, still honouring the provider's Retry-After.
            return RetryLater(unknown.reason, max(proof.retry_after, unknown.retry_after))
        return proof

    async def recover_stuck(self) -> int:
        """Settle rows a dead sender left ``sending`` (or whose claim ran out): prove the
        outcome, never guess."""
        stuck = await run_blocking(partial(self.store.claim_stuck, self.channel))
        for claimed in stuck:
            self._settling.add(claimed.message.id)
            try:
                outcome = await self._verify(claimed, Unknown("sender interrupted"))
                if isinstance(outcome, RetryLater):
                    await run_blocking(partial(self.store.requeue, claimed))
                else:
                    await run_blocking(partial(self.store.record, claimed, outcome))
            finally:
                self._settling.discard(claimed.message.id)
        return len(stuck)
