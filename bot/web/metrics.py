"""``GET /metrics``: what an operations team watches, in Prometheus's text format.

Two sources:

* this process's counters (``bot/runtime/metrics.py``): messages in and out per channel,
  intents and low-confidence reads, outbox send outcomes per channel;
* :class:`DatabaseCollector`, which reads at scrape time what all processes share and a
  counter in one process cannot know: the consultant queue and its waits, the outbox backlog,
  lag, retries and failures per channel, and reminders due and sent.

Access: a request straight from this machine (loopback peer, no proxy in between) is
answered; any other needs ``Authorization: Bearer <BORGERCHAT_METRICS_TOKEN>`` (compared in
constant time). Without the token set, /metrics is localhost only. 401 without credentials,
403 with wrong ones.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.kernel.clock import Clock
from bot.runtime import metrics
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory, transaction
from bot.store.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    QueueWait,
    Reminder,
    ReminderStatus,
)

METRICS_PATH = "/metrics"
# Where the peer address as the socket gave it is kept, before ProxyHeadersMiddleware
# rewrites the client from X-Forwarded-For (which a caller can write).
PEER_SCOPE_KEY = "borgerchat.socket_peer"
FORWARDING_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")
WAIT_WINDOW = timedelta(hours=24)

router = APIRouter()


class DatabaseCollector(Collector):
    """Gauges read from the database at each scrape: right however many processes run."""

    def __init__(self, session_factory: SessionFactory, clock: Clock) -> None:
        self.session_factory = session_factory
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            yield from self._queue(session, now)
            yield from self._outbox(session, now)
            yield from self._reminders(session, now)

    def _queue(self, session: Session, now: datetime) -> Iterator[Metric]:
        waiting = session.execute(
            select(func.count(), func.min(Conversation.waiting_since)).where(
                Conversation.status == ConversationStatus.WAITING.value
            )
        ).one()
        yield GaugeMetricFamily(
            "borgerchat_queue_length", "Conversations waiting for a consultant", waiting[0]
        )
        oldest = (now - waiting[1]).total_seconds() if waiting[1] is not None else 0.0
        yield GaugeMetricFamily(
            "borgerchat_queue_oldest_wait_seconds",
            "How long the longest-waiting conversation has waited",
            max(0.0, oldest),
        )
        waits = [
            (taken - since).total_seconds()
            for since, taken in session.execute(
                select(QueueWait.waiting_since, QueueWait.taken_at).where(
                    QueueWait.taken_at >= now - WAIT_WINDOW
                )
            )
        ]
        yield GaugeMetricFamily(
            "borgerchat_queue_waits_24h", "Conversations taken from the queue in 24 h", len(waits)
        )
        yield GaugeMetricFamily(
            "borgerchat_queue_wait_seconds_24h_mean",
            "Mean wait before a consultant took a conversation, last 24 h",
            sum(waits) / len(waits) if waits else 0.0,
        )

    def _outbox(self, session: Session, now: datetime) -> Iterator[Metric]:
        pending = GaugeMetricFamily(
            "borgerchat_outbox_pending", "Outbound messages queued or sending", labels=["channel"]
        )
        lag = GaugeMetricFamily(
            "borgerchat_outbox_lag_seconds",
            "How long the oldest due queued message has been due",
            labels=["channel"],
        )
        failed = GaugeMetricFamily(
            "borgerchat_outbox_failed", "Outbound messages that failed", labels=["channel"]
        )
        retried = GaugeMetricFamily(
            "borgerchat_outbox_retries",
            "Send attempts beyond the first, over stored messages",
            labels=["channel"],
        )
        outbound = Message.direction == Direction.OUT.value
        open_statuses = [MessageStatus.QUEUED.value, MessageStatus.SENDING.value]
        for channel, count in session.execute(
            select(Message.channel, func.count())
            .where(outbound, Message.status.in_(open_statuses))
            .group_by(Message.channel)
        ):
            pending.add_metric([channel], count)
        for channel, oldest in session.execute(
            select(Message.channel, func.min(Message.next_attempt_at))
            .where(
                outbound,
                Message.status == MessageStatus.QUEUED.value,
                Message.next_attempt_at <= now,
            )
            .group_by(Message.channel)
        ):
            lag.add_metric([channel], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        for channel, count in session.execute(
            select(Message.channel, func.count())
            .where(outbound, Message.status == MessageStatus.FAILED.value)
            .group_by(Message.channel)
        ):
            failed.add_metric([channel], count)
        for channel, extra in session.execute(
            select(Message.channel, func.sum(Message.attempts - 1))
            .where(outbound, Message.attempts > 1)
            .group_by(Message.channel)
        ):
            retried.add_metric([channel], extra or 0)
        yield from (pending, lag, failed, retried)

    def _reminders(self, session: Session, now: datetime) -> Iterator[Metric]:
        due = session.scalar(
            select(func.count()).where(
                Reminder.status == ReminderStatus.SCHEDULED.value, Reminder.due_at <= now
            )
        )
        sent = session.scalar(
            select(func.count()).where(Reminder.status == ReminderStatus.SENT.value)
        )
        yield GaugeMetricFamily(
            "borgerchat_reminders_due", "Reminders due and not yet sent", due or 0
        )
        yield GaugeMetricFamily("borgerchat_reminders_sent", "Reminders sent (stored)", sent or 0)


def metrics_registry(session_factory: SessionFactory, clock: Clock) -> CollectorRegistry:
    """This process's counters and the database's gauges, in one registry per app."""
    registry = CollectorRegistry(auto_describe=False)
    for counter in metrics.COUNTERS:
        registry.register(counter)
    registry.register(DatabaseCollector(session_factory, clock))
    return registry


class RecordSocketPeer:
    """Keeps the peer address the socket gave, before any proxy header is believed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            scope[PEER_SCOPE_KEY] = client[0] if client else None
        await self.app(scope, receive, send)


def straight_from_localhost(request: Request, trusted_proxies: tuple[str, ...]) -> bool:
    """A loopback peer that is no configured proxy and forwards no one else's request."""
    peer = request.scope.get(PEER_SCOPE_KEY)
    if peer is None:
        client = request.scope.get("client")
        peer = client[0] if client else None
    try:
        address = ipaddress.ip_address(peer) if peer is not None else None
    except ValueError:
        return False
    if address is None or not address.is_loopback:
        return False
    if any(address in ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies):
        return False  # a proxy on this machine forwards requests from anywhere
    headers = {name for name, _ in request.scope.get("headers", [])}
    return not any(name in headers for name in FORWARDING_HEADERS)


def check_access(request: Request, token: str | None, trusted_proxies: tuple[str, ...]) -> None:
    """Raises 401/403 unless the request may read the metrics."""
    given = request.headers.get("authorization", "")
    scheme, _, credentials = given.partition(" ")
    if token and scheme.lower() == "bearer" and credentials:
        if hmac.compare_digest(credentials.strip().encode(), token.encode()):
            return
        raise HTTPException(403, "wrong metrics token")
    if straight_from_localhost(request, trusted_proxies):
        return
    if token:
        raise HTTPException(401, "metrics need a bearer token", {"WWW-Authenticate": "Bearer"})
    raise HTTPException(403, "metrics are served to localhost only")


@router.get(METRICS_PATH, include_in_schema=False)
async def metrics_page(request: Request) -> Response:
    services = request.app.state.services
    token_secret = services.config.secrets.metrics_token
    token = token_secret.get_secret_value() if token_secret is not None else None
    check_access(request, token, tuple(services.config.settings.inbox.trusted_proxies))
    registry: CollectorRegistry = request.app.state.metrics_registry
    body = await run_blocking(lambda: generate_latest(registry))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
