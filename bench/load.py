"""Load: simulated citizens talking concurrently over loopback; messages/s and latency.

Half the citizens use the web chat API, half send signed Twilio SMS webhooks (answered with
TwiML). Each citizen follows the same realistic conversation on the demo jobcenter's data
(greeting, holidays, pension, job wishes, a sick note, booking a meeting, asking about it), and
waits for each answer before sending the next message, as a person does.

Two measurements per database:

* **paced** (open loop): conversations start at an even pace and each citizen writes every
  ``SECONDS_BETWEEN_MESSAGES``, so that once the first conversations are done (the ramp) the
  offered rate is ``--rate`` with citizens at every stage of the conversation, as at a real
  jobcenter (not all 900 signing up, or all booking, in the same three seconds). Latency
  counts from the moment a message was due, so a server that falls behind shows it (no
  coordinated omission). The headline figures are for the messages due in the steady window
  (``--seconds`` long); the ramp and the tail offer less and are reported apart. This is the
  figure for "N messages/s with p99 under X ms".
* **capacity** (closed loop): ``--citizens`` citizens send back to back with no pause; the rate
  is the most the server answers, and latency there is mostly waiting in line.

Bounded in count and time; prints the figures and checks that every message was stored.

    .venv/bin/python bench/load.py --database postgresql --rate 300
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select
from twilio.request_validator import RequestValidator

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.http_client import ConnectionPool, EncodedRequest, HttpError  # noqa: E402
from bot.store.models import Message  # noqa: E402
from tests.live_server import QUIET, bench_database, free_port, running_server  # noqa: E402

# One citizen's conversation with the demo jobcenter; every message gets an answer.
SCRIPT = [
    "hej",
    "hvor mange feriedage har jeg",
    "jeg får førtidspension",
    "hvad sker der med min pension hvis jeg tjener penge",
    "jeg vil gerne arbejde i et køkken",
    "10 timer",
    "jeg er syg i dag",
    "kan jeg få en tid",
    "1",
    "ja",
    "hvornår er mit møde",
    "tak for hjælpen",
]

AUTH_TOKEN = "bench-auth-token"  # noqa: S105 - signs loopback requests only
SMS_PATH = "/webhooks/twilio/sms"
CHAT_PATH = "/api/chat/messages"
# A paced citizen writes about this often: well below the flood limit of 30 a minute.
SECONDS_BETWEEN_MESSAGES = 3.0


def prepare(base: str, run: str, number: int, count: int) -> list[EncodedRequest]:
    """Citizen ``number``'s messages, encoded and signed before the clock starts (the client's
    work is not the server's): even numbers use the web chat, odd ones SMS."""
    host = base.removeprefix("http://")
    requests = []
    validator = RequestValidator(AUTH_TOKEN)
    for index in range(count):
        text = SCRIPT[index % len(SCRIPT)]
        if number % 2 == 0:
            body = {"session": f"load-{run}-{number:06d}", "text": text, "message_id": str(index)}
            requests.append(EncodedRequest.post(host, CHAT_PATH, json_body=body))
        else:
            form = {
                "MessageSid": f"SM{run}{number:08d}{index:08d}".ljust(34, "0"),
                "AccountSid": "AC" + "0" * 32,
                "From": f"+45{20_000_000 + number + (500_000 if run == 'c' else 0)}",
                "To": "+4570000000",
                "Body": text,
                "NumMedia": "0",
            }
            signature = validator.compute_signature(f"{base}{SMS_PATH}", form)
            headers = {"X-Twilio-Signature": signature}
            requests.append(EncodedRequest.post(host, SMS_PATH, form=form, headers=headers))
    return requests


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        # Without each citizen's first message: a new citizen costs a sign-up (citizen,
        # address and conversation rows), and the paced schedule sends all of those first.
        self.ongoing: list[float] = []
        self.errors: list[str] = []
        self.sent = 0

    def record(self, latency: float, status: int, *, first: bool) -> None:
        self.latencies.append(latency)
        if not first:
            self.ongoing.append(latency)
        self.sent += 1
        if status != 200:
            self.errors.append(str(status))

    def figures(self, elapsed: float) -> dict[str, float]:
        ordered = sorted(self.latencies) or [0.0]
        ongoing = sorted(self.ongoing) or [0.0]
        return {
            "sent": float(self.sent),
            "elapsed": elapsed,
            "rate": self.sent / elapsed,
            "p50": statistics.median(ordered) * 1000,
            "p99": _p99(ordered) * 1000,
            "max": ordered[-1] * 1000,
            "ongoing_p99": _p99(ongoing) * 1000,
            "errors": float(len(self.errors)),
        }


async def send(
    client: ConnectionPool,
    request: EncodedRequest,
    since: float,
    *,
    first: bool,
    tallies: list[Tally],
) -> None:
    """Send one request; its latency counts from ``since`` (perf_counter)."""
    try:
        status, _ = await client.send(request)
    except (HttpError, OSError) as exc:
        for tally in tallies:
            tally.errors.append(type(exc).__name__)
        return
    latency = time.perf_counter() - since
    for tally in tallies:
        tally.record(latency, status, first=first)


def _p99(ordered: list[float]) -> float:
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


async def paced(
    base: str, rate: float, messages: int, seconds: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Open loop with a steady mix: a conversation starts every ``messages / rate`` seconds and
    its k-th message is due about ``k * SECONDS_BETWEEN_MESSAGES`` later, shifted by k / rate
    so that no two messages are due at the same moment (in the steady window one is due every
    1 / rate seconds). Returns the figures for the steady window and for the whole run."""
    ramp = messages * SECONDS_BETWEEN_MESSAGES
    starts_per_second = rate / messages
    citizens = max(2, round((ramp + seconds) * starts_per_second))
    plans = [prepare(base, "p", number, messages) for number in range(citizens)]
    steady, whole = Tally(), Tally()
    client = ConnectionPool(base)
    try:
        await warm_up(client, base)
        started = time.perf_counter() + 0.2
        window = (started + ramp, started + ramp + seconds)

        async def citizen(number: int) -> None:
            for index, request in enumerate(plans[number]):
                slot = (number * messages + index) / rate
                due = started + slot + index * SECONDS_BETWEEN_MESSAGES
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tallies = [whole]
                if window[0] <= due < window[1]:
                    tallies.append(steady)
                await send(client, request, since=due, first=index == 0, tallies=tallies)

        await asyncio.gather(*(citizen(number) for number in range(citizens)))
        elapsed = time.perf_counter() - started
    finally:
        await client.close()
    extra = {"citizens": float(citizens), "offered": rate}
    return steady.figures(seconds) | extra, whole.figures(elapsed) | extra


async def capacity(base: str, citizens: int, messages: int) -> dict[str, float]:
    """Closed loop: every citizen sends its next message as soon as the answer arrives."""
    plans = [prepare(base, "c", number, messages) for number in range(citizens)]
    tally = Tally()
    client = ConnectionPool(base)
    try:
        await warm_up(client, base)
        started = time.perf_counter()

        async def citizen(number: int) -> None:
            for index, request in enumerate(plans[number]):
                await send(
                    client, request, since=time.perf_counter(), first=index == 0, tallies=[tally]
                )

        await asyncio.gather(*(citizen(number) for number in range(citizens)))
        elapsed = time.perf_counter() - started
    finally:
        await client.close()
    return tally.figures(elapsed) | {"citizens": float(citizens)}


WARM_UP_SESSIONS = 8


async def warm_up(client: ConnectionPool, base: str) -> None:
    """A few conversations first, so that both workers have loaded and cached what they use."""
    for number in range(WARM_UP_SESSIONS):
        for text in SCRIPT[:4]:
            body = {"session": f"warmup-{number:04d}", "text": text}
            host = base.removeprefix("http://")
            await client.send(EncodedRequest.post(host, CHAT_PATH, json_body=body))


def stored_inbound(database_url: str) -> int:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    engine.dispose()
    return int(count or 0)


def seed_demo(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, **QUIET}
    command = [sys.executable, "-m", "bot", "demo", "seed"]
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=REPO)


def machine_speed() -> float:
    """Milliseconds of CPU a fixed pure-Python loop takes now (3 million multiply-adds).

    This machine shares its cores with neighbours, and its speed changed by up to 1.8 times
    within minutes (this loop: 120-140 ms when quiet, up to about 240 ms). A load figure means
    little without the speed it was measured at, so each run prints it before and after.
    """
    started = time.process_time()
    total = 0
    for number in range(3_000_000):
        total += number * number
    return (time.process_time() - started) * 1000


def report(kind: str, mode: str, figures: dict[str, float], lost: int) -> None:
    offered = f" of {figures['offered']:.0f} offered" if "offered" in figures else ""
    print(
        f"{kind:10s} {mode:8s} {figures['citizens']:5.0f} citizens {figures['sent']:6.0f} msgs "
        f"in {figures['elapsed']:5.1f} s = {figures['rate']:6.1f} msg/s{offered}   "
        f"p50 {figures['p50']:6.1f} ms   p99 {figures['p99']:7.1f} ms   "
        f"(p99 without first messages {figures['ongoing_p99']:7.1f} ms)   "
        f"max {figures['max']:7.1f} ms   errors {figures['errors']:.0f}   lost {lost}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--mode", choices=["paced", "capacity", "both"], default="both")
    parser.add_argument("--rate", type=float, default=300, help="paced: messages/s offered")
    parser.add_argument("--citizens", type=int, default=80, help="capacity: citizens at once")
    parser.add_argument("--messages", type=int, default=12, help="per citizen (max 25)")
    parser.add_argument(
        "--seconds", type=float, default=24, help="paced: the steady window, after the ramp"
    )
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    args = parser.parse_args()
    # Above 30 a minute the flood throttle would answer for the server: stay below it.
    messages = min(args.messages, 25)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    modes = ["paced", "capacity"] if args.mode == "both" else [args.mode]
    print(
        f"demo jobcenter, {len(SCRIPT)}-message conversations, half web chat, half signed "
        f"Twilio SMS webhooks, loopback, {args.workers} server process(es), {os.cpu_count()} cores"
    )
    for kind in kinds:
        port = free_port()
        env = {
            **QUIET,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+4570000000",
            # Signatures are computed over the public URL: here, the loopback address.
            "BORGERCHAT_SERVER__PUBLIC_URL": f"http://127.0.0.1:{port}",
            # No real Twilio here: the sender must not try to reach it.
            "BORGERCHAT_TWILIO__BASE_URL": "http://127.0.0.1:9",
        }
        serve_args = ("--workers", str(args.workers))
        with (
            bench_database(kind) as url,
            running_server(url, env, args=serve_args, port=port) as (base, _),
        ):
            seed_demo(url)
            for mode in modes:
                speed_before = machine_speed()
                before = stored_inbound(url)
                if mode == "paced":
                    steady, whole = asyncio.run(paced(base, args.rate, messages, args.seconds))
                    runs = {"steady": steady, "whole": whole}
                else:
                    whole = asyncio.run(capacity(base, args.citizens, messages))
                    runs = {"capacity": whole}
                warm_ups = WARM_UP_SESSIONS * 4
                lost = int(whole["sent"]) + warm_ups - (stored_inbound(url) - before)
                for name, figures in runs.items():
                    report(kind, name, figures, lost)
                print(
                    f"{'':10s} machine speed: the fixed loop took {speed_before:.0f} ms before "
                    f"and {machine_speed():.0f} ms after (120-140 ms when the machine is quiet)"
                )


if __name__ == "__main__":
    main()
