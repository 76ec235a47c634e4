"""Three server processes on one PostgreSQL, one killed with SIGKILL mid-run: the scale-out
scenario shared by tests/integrations/test_scale_out.py and bench/scale_out.py.

Citizens write by Telegram (answered through the outbox) and by SMS (answered with TwiML) as in
bench/load.py, each to any of the servers; proactive messages wait in the outbox and booking
reminders fall due, so every server's sender and scheduler has work. When a server is killed,
a request it did not answer is delivered again to another (as Telegram and Twilio redeliver),
with the same update id or MessageSid. Afterwards it counts what reached the fake providers
against what the database says was sent: nothing lost, nothing doubled.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.domain.outbox_fate import DELIVERY_UNKNOWN
from bot.kernel.messages import Channel
from bot.runtime.config import load_config
from bot.services import Services
from bot.store.db import create_db_engine, transaction
from bot.store.migrate import upgrade
from bot.store.models import Direction, Message, MessageStatus, Reminder, ReminderStatus
from bot.wiring import build_services
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import (
    AUTH_TOKEN,
    PUBLIC_URL,
    WEBHOOK_SECRET,
    channel_env,
    new_citizen,
    queue,
)
from tests.live_server import QUIET, REPO, free_port, stop_server
from tests.scheduling_data import make_booking, make_citizen

# Where tests/live_server.py keeps the live servers' state (the trained NLU model).
LIVE_DATA_DIR = str(Path(tempfile.gettempdir()) / "borgerchat-live-server")

SCRIPT = [
    "hej",
    "hvor mange feriedage har jeg",
    "jeg vil gerne arbejde i et køkken",
    "hvornår er mit møde",
    "hvad sker der med min pension hvis jeg tjener penge",
    "tak for hjælpen",
]
SMS_PATH = "/webhooks/twilio/sms"
TELEGRAM_PATH = "/webhooks/telegram"


@dataclass
class Figures:
    servers: int = 3
    inbound_sent: int = 0
    inbound_stored: int = 0
    inbound_unanswered: int = 0
    redelivered: int = 0
    seconds_traffic: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    seconds_to_drain_after_kill: float = 0.0
    outbox_rows: int = 0
    outbox_left: int = 0  # still queued or sending at the end
    delivered: int = 0
    lost: int = 0  # sent (or queued) in the database, never reached the provider
    doubled: int = 0  # reached the provider more often than there are rows for it
    delivery_unknown: int = 0  # flagged for a person (sent on the way when the kill came)
    other_failures: list[str] = field(default_factory=list)
    lost_examples: list[tuple[str, str]] = field(default_factory=list)
    reminders_due: int = 0
    reminders_left: int = 0
    reminders_sent: int = 0

    def lines(self) -> list[str]:
        return [
            f"servers: {self.servers}, one killed with SIGKILL mid-run",
            f"citizen messages: {self.inbound_sent} sent, {self.inbound_stored} stored, "
            f"{self.inbound_unanswered} unanswered, {self.redelivered} redelivered after the kill",
            f"traffic: {self.seconds_traffic:.1f} s, "
            f"{self.inbound_sent / max(self.seconds_traffic, 1e-9):.0f} msg/s, "
            f"p50 {self.p50_ms:.0f} ms, p99 {self.p99_ms:.0f} ms",
            f"outbox: {self.outbox_rows} rows, {self.delivered} delivered, "
            f"{self.outbox_left} left, "
            f"lost {self.lost}, doubled {self.doubled}, delivery unknown {self.delivery_unknown}, "
            f"other failures {len(self.other_failures)}",
            f"reminders: {self.reminders_due} due, {self.reminders_sent} sent, "
            f"{self.reminders_left} left",
            f"drained {self.seconds_to_drain_after_kill:.1f} s after the kill",
            *(f"lost, for example: {example}" for example in self.lost_examples),
        ]


class Client:
    """Sends each citizen's messages to the servers in turn; a request a dead server did not
    answer goes to the next one, unchanged (the provider's redelivery)."""

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.dead: set[str] = set()
        self.redelivered = 0
        self.latencies: list[float] = []
        self._turn = itertools.count()

    async def send(self, http: httpx.AsyncClient, path: str, **request: object) -> httpx.Response:
        start = next(self._turn)
        for attempt in range(len(self.bases) * 3):
            base = self.bases[(start + attempt) % len(self.bases)]
            if base in self.dead:
                continue
            began = time.perf_counter()
            try:
                response = await http.post(base + path, **request)  # type: ignore[arg-type]
            except httpx.TransportError:
                self.redelivered += 1
                continue
            if response.status_code >= 500:
                self.redelivered += 1
                continue
            response.raise_for_status()
            self.latencies.append(time.perf_counter() - began)
            return response
        raise RuntimeError(f"no server answered {path}")


def _telegram_update(update_id: int, chat_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Aisha"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Aisha", "language_code": "da"},
            "text": text,
        },
    }


def _sms_form(number: int, index: int, text: str) -> dict[str, str]:
    return {
        "MessageSid": f"SMscale{number:06d}{index:04d}".ljust(34, "0"),
        "AccountSid": "AC" + "0" * 32,
        "From": f"+4530{number:06d}",
        "To": "+4570000000",
        "Body": text,
        "NumMedia": "0",
    }


_inline_sids = itertools.count()
# Twilio's SIDs for the TwiML answers it reports back: not outbox deliveries.
INLINE_SID_PREFIX = "SMinline"


async def _report_inline(
    client: Client, http: httpx.AsyncClient, validator: RequestValidator, twiml: str
) -> None:
    """What Twilio does with a TwiML <Message action=...>: it sends the SMS and reports it."""
    for message in ET.fromstring(twiml).iter("Message"):  # noqa: S314 (our own server's TwiML)
        action = message.get("action")
        if not action:
            continue
        sid = f"{INLINE_SID_PREFIX}{next(_inline_sids):026d}"
        params = {"MessageSid": sid, "MessageStatus": "sent", "AccountSid": "AC" + "0" * 32}
        headers = {"X-Twilio-Signature": validator.compute_signature(action, params)}
        await client.send(http, action.removeprefix(PUBLIC_URL), data=params, headers=headers)


async def _citizen(client: Client, http: httpx.AsyncClient, number: int, telegram: bool) -> int:
    sent = 0
    validator = RequestValidator(AUTH_TOKEN)
    for index, text in enumerate(SCRIPT):
        if telegram:
            body = _telegram_update(number * 100 + index, 700_000 + number, text)
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            await client.send(http, TELEGRAM_PATH, json=body, headers=headers)
        else:
            form = _sms_form(number, index, text)
            signature = validator.compute_signature(PUBLIC_URL + SMS_PATH, form)
            headers = {"X-Twilio-Signature": signature}
            answer = await client.send(http, SMS_PATH, data=form, headers=headers)
            await _report_inline(client, http, validator, answer.text)
        sent += 1
        await asyncio.sleep(0.05)
    return sent


def _seed(services: Services, proactive: int, reminders: int) -> None:
    """Proactive messages waiting in the outbox, and bookings whose 2-hour reminder is due."""
    now = services.clock.now()
    for n in range(proactive):
        if n % 2:
            phone = f"+4540{n:06d}"
            citizen, conversation = new_citizen(services, Channel.SMS, phone, now, phone=phone)
        else:
            citizen, conversation = new_citizen(services, Channel.TELEGRAM, str(800_000 + n), now)
        queue(services, citizen, conversation, [f"besked {n} til borger"])
    with transaction(services.session_factory) as session:
        for n in range(reminders):
            citizen = make_citizen(session, channel="telegram", address=str(900_000 + n), now=now)
            # The 2-hour reminder falls due a few seconds into the run, one after another.
            meeting = now + timedelta(hours=2, seconds=8 + n * 0.25)
            booking = make_booking(session, citizen, meeting, now=now)
            services.booking_listeners.changed(session, booking, now)


def _server_env(
    database_url: str, telegram: FakeTelegramApi, twilio: FakeTwilioApi
) -> dict[str, str]:
    env = channel_env(database_url, telegram, twilio, Path(tempfile.gettempdir()))
    del env["BORGERCHAT_NLU__MODEL_DIR"]  # the live servers share one trained model
    return {
        **env,
        **QUIET,
        "BORGERCHAT_TWILIO__MESSAGES_PER_SECOND": "200",
        # The reminders go by Telegram (no SMS quiet hours) and fall due during the run.
        "BORGERCHAT_REMINDERS__POLL_INTERVAL_SECONDS": "0.5",
        "BORGERCHAT_OUTBOX__POLL_INTERVAL_SECONDS": "0.1",
    }


def _serve(env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={"BORGERCHAT_DATA_DIR": LIVE_DATA_DIR, **os.environ, **env},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return f"http://127.0.0.1:{port}", process


def _start_all(env: dict[str, str], count: int) -> list[tuple[str, subprocess.Popen[bytes]]]:
    """Start ``count`` servers at once on the migrated database; wait until each is ready."""
    servers = [_serve(env) for _ in range(count)]
    deadline = time.monotonic() + 180  # a loaded machine: each loads the app and the NLU model
    waiting = list(servers)
    while waiting:
        base, process = waiting[0]
        if process.poll() is not None or time.monotonic() > deadline:
            for _, started in servers:
                stop_server(started)
            raise RuntimeError(f"server {base} did not start")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                waiting.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return servers


def _pending(services: Services) -> tuple[int, int]:
    """Outbox rows still queued or sending, and reminders not yet handled."""
    with transaction(services.session_factory) as session:
        # Reminders first: a reminder and its outbox row are committed together, and under
        # READ COMMITTED each statement sees its own moment. Counted the other way round, a
        # reminder sent between the two statements would leave a queued row that neither saw.
        # Not yet due counts too: the run waits for every planned reminder.
        reminders = session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.status == ReminderStatus.SCHEDULED.value)
        )
        outbox = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.direction == Direction.OUT.value,
                Message.channel != Channel.WEB.value,
                Message.status.in_([MessageStatus.QUEUED.value, MessageStatus.SENDING.value]),
            )
        )
    return int(outbox or 0), int(reminders or 0)


def _count(
    figures: Figures, services: Services, telegram: FakeTelegramApi, twilio: FakeTwilioApi
) -> None:
    with transaction(services.session_factory) as session:
        rows = list(
            session.scalars(
                select(Message).where(
                    Message.direction == Direction.OUT.value, Message.channel != Channel.WEB.value
                )
            )
        )
        inbound = list(
            session.scalars(select(Message).where(Message.direction == Direction.IN.value))
        )
        answered = set(
            session.scalars(
                select(Message.in_reply_to_id).where(Message.in_reply_to_id.is_not(None))
            )
        )
        figures.reminders_sent = int(
            session.scalar(
                select(func.count())
                .select_from(Reminder)
                .where(Reminder.status == ReminderStatus.SENT.value)
            )
            or 0
        )
    figures.inbound_stored = len(inbound)
    figures.inbound_unanswered = sum(1 for m in inbound if m.id not in answered)
    # Not the SMS answered inline (TwiML): those never went through the outbox.
    rows = [
        r
        for r in rows
        if (r.attempts or r.status != MessageStatus.SENT.value)
        and not (r.channel_message_id or "").startswith(INLINE_SID_PREFIX)
    ]
    figures.outbox_rows = len(rows)
    delivered = Counter(
        [(str(c["chat_id"]), c["text"]) for c in telegram.sent()]
        + [(c["To"], c["Body"]) for c in twilio.sent()]
    )
    figures.delivered = sum(delivered.values())
    sent: Counter[tuple[str, str]] = Counter()
    unknown: Counter[tuple[str, str]] = Counter()
    for row in rows:
        key = (row.address, row.text or "")
        if row.channel == Channel.SMS.value:
            key = (row.address, twilio_body(services, row))
        if row.status in (MessageStatus.SENT.value, MessageStatus.DELIVERED.value):
            sent[key] += 1
        elif row.status == MessageStatus.FAILED.value and (row.last_error or "").startswith(
            DELIVERY_UNKNOWN
        ):
            unknown[key] += 1
        elif row.status == MessageStatus.FAILED.value:
            figures.other_failures.append(row.last_error or "")
        else:
            figures.outbox_left += 1
    figures.delivery_unknown = sum(unknown.values())
    # Lost: a row the database calls sent that never reached the provider. Doubled: more
    # deliveries than rows that may have gone (sent, or at most once when unknown).
    figures.lost = sum((sent - delivered).values())
    figures.lost_examples = list((sent - delivered).elements())[:3]
    figures.doubled = sum((delivered - sent - unknown).values())


def twilio_body(services: Services, row: Message) -> str:
    """What the SMS transport sends for a row (bot texts are kept GSM-7 and to a length)."""
    assert services.channels is not None
    assert services.channels.sms is not None
    return services.channels.sms.body_of(row.as_outbound())


def run(
    database_url: str,
    *,
    telegram_citizens: int = 24,
    sms_citizens: int = 12,
    proactive: int = 120,
    reminders: int = 20,
    servers: int = 3,
    drain_timeout: float = 40.0,
) -> Figures:
    """The whole scenario against fresh fakes; returns the figures (asserts nothing)."""
    figures = Figures(servers=servers)
    with (
        FakeTelegramApi("123456:TEST-fake-token") as telegram,
        FakeTwilioApi("AC" + "0" * 32, AUTH_TOKEN) as twilio,
    ):
        env = _server_env(database_url, telegram, twilio)  # type: ignore[arg-type]
        engine = create_db_engine(database_url)
        upgrade(engine)
        engine.dispose()
        running = _start_all(env, servers)
        services = build_services(load_config(env={**env, "BORGERCHAT_DATA_DIR": LIVE_DATA_DIR}))
        try:
            _seed(services, proactive, reminders)
            figures.reminders_due = _pending(services)[1]
            client = Client([base for base, _ in running])
            victim = running[0][1]
            total = (telegram_citizens + sms_citizens) * len(SCRIPT)

            async def traffic() -> int:
                async with httpx.AsyncClient(timeout=30) as http:

                    async def kill_midway() -> None:
                        while len(client.latencies) < total * 0.4:
                            await asyncio.sleep(0.01)
                        victim.send_signal(signal.SIGKILL)
                        killed.append(time.monotonic())

                    killer = asyncio.create_task(kill_midway())
                    counts = await asyncio.gather(
                        *(
                            _citizen(client, http, n, telegram=True)
                            for n in range(telegram_citizens)
                        ),
                        *(_citizen(client, http, n, telegram=False) for n in range(sms_citizens)),
                    )
                    killer.cancel()
                    return sum(counts)

            killed: list[float] = []
            began = time.perf_counter()
            figures.inbound_sent = asyncio.run(traffic())
            figures.seconds_traffic = time.perf_counter() - began
            killed_at = killed[0] if killed else time.monotonic()
            deadline = time.monotonic() + drain_timeout
            while any(_pending(services)) and time.monotonic() < deadline:
                time.sleep(0.1)
            figures.seconds_to_drain_after_kill = time.monotonic() - killed_at
            figures.reminders_left = _pending(services)[1]
            figures.redelivered = client.redelivered
            latencies = sorted(client.latencies) or [0.0]
            figures.p50_ms = latencies[len(latencies) // 2] * 1000
            figures.p99_ms = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
            _count(figures, services, telegram, twilio)  # type: ignore[arg-type]
        finally:
            services.close()
            for _, process in running:
                if process.poll() is None:
                    stop_server(process)
    return figures
