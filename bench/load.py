"""Load: N simulated citizens talking concurrently over loopback; messages/s and latency.

Each citizen sends its messages one after another (as a person waits for the answer), all
citizens at once: half through the web chat API, half as signed Twilio SMS webhooks (answered
with TwiML). Bounded in count and time; prints figures and checks nothing was lost.

    .venv/bin/python bench/load.py --database postgresql --citizens 60 --messages 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, func, select
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.models import Message
from tests.live_server import QUIET, bench_database, free_port, running_server

TEXTS = [
    "hej",
    "jeg er syg i dag",
    "hvor mange feriedage har jeg",
    "hvad sker der med min pension hvis jeg tjener penge",
    "jeg vil gerne arbejde i et køkken",
    "kan jeg få en tid",
    "hvornår er mit møde",
    "tak for hjælpen",
    "jeg forstår ikke",
    "mit barn er sygt og jeg kan ikke komme",
]


AUTH_TOKEN = "bench-auth-token"  # noqa: S105 - signs loopback requests only
SMS_PATH = "/webhooks/twilio/sms"


def sms_request(
    base: str, number: int, index: int, text: str
) -> tuple[dict[str, str], dict[str, str]]:
    """A Twilio inbound-SMS form, signed as Twilio signs it."""
    form = {
        "MessageSid": f"SM{number:08d}{index:08d}{'0' * 16}",
        "AccountSid": "AC" + "0" * 32,
        "From": f"+4520{number:06d}",
        "To": "+4570000000",
        "Body": text,
        "NumMedia": "0",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{base}{SMS_PATH}", form)
    return form, {"X-Twilio-Signature": signature}


async def citizen(
    client: aiohttp.ClientSession,
    base: str,
    number: int,
    count: int,
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> int:
    """One citizen: even-numbered ones use the web chat, odd-numbered ones SMS."""
    sent = 0
    session = f"load-citizen-{number:05d}"
    for index in range(count):
        if time.monotonic() > deadline:
            break
        text = TEXTS[(number + index) % len(TEXTS)]
        started = time.perf_counter()
        try:
            if number % 2 == 0:
                body = {"session": session, "text": text, "message_id": f"{index}"}
                request = client.post(f"{base}/api/chat/messages", json=body)
            else:
                form, headers = sms_request(base, number, index, text)
                request = client.post(f"{base}{SMS_PATH}", data=form, headers=headers)
            async with request as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors.append(str(status))
        sent += 1
    return sent


async def run_load(base: str, citizens: int, messages: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    # aiohttp, not httpx: httpx's async pool tops out near 230 requests/s here, well below
    # the server, and the bench would measure the client.
    connector = aiohttp.TCPConnector(limit=citizens)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        warmup = {"session": "warmup-000", "text": "hej"}
        async with client.post(f"{base}/api/chat/messages", json=warmup) as response:
            await response.read()
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        sent = await asyncio.gather(
            *(
                citizen(client, base, n, messages, deadline, latencies, errors)
                for n in range(citizens)
            )
        )
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "sent": float(sum(sent)),
        "elapsed": elapsed,
        "rate": sum(sent) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "errors": float(len(errors)),
    }


def stored_inbound(database_url: str) -> int:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    engine.dispose()
    return int(count or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--citizens", type=int, default=60)
    parser.add_argument("--messages", type=int, default=20, help="per citizen (max 25)")
    parser.add_argument("--seconds", type=float, default=60, help="stop sending after this")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    args = parser.parse_args()
    # Above 30 a minute the flood throttle would answer for the server: stay below it.
    messages = min(args.messages, 25)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(
        f"{args.citizens} citizens x {messages} messages, half web chat, half Twilio SMS "
        f"webhook, loopback, {args.workers} server process(es)"
    )
    for kind in kinds:
        serve_args = ("--workers", str(args.workers))
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
        with (
            bench_database(kind) as url,
            running_server(url, env, args=serve_args, port=port) as (base, _),
        ):
            figures = asyncio.run(run_load(base, args.citizens, messages, args.seconds))
            stored = stored_inbound(url) - 1  # minus the warm-up message
        lost = int(figures["sent"]) - stored
        print(
            f"{kind:10s} {figures['sent']:6.0f} messages in {figures['elapsed']:5.1f} s = "
            f"{figures['rate']:6.1f} msg/s   p50 {figures['p50']:6.1f} ms   "
            f"p99 {figures['p99']:6.1f} ms   errors {figures['errors']:.0f}   lost {lost}"
        )


if __name__ == "__main__":
    main()
