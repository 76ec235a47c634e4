"""Load: N simulated citizens talking concurrently over loopback; messages/s and latency.

Each citizen sends its messages one after another (as a person waits for the answer), all
citizens at once, through the web chat API and, when the Twilio webhook is available, signed
SMS webhooks. Bounded in count and time; prints figures and checks nothing was lost.

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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.models import Message
from tests.live_server import bench_database, running_server

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


async def citizen(
    client: aiohttp.ClientSession,
    base: str,
    number: int,
    count: int,
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> int:
    sent = 0
    session = f"load-citizen-{number:05d}"
    for index in range(count):
        if time.monotonic() > deadline:
            break
        body = {
            "session": session,
            "text": TEXTS[(number + index) % len(TEXTS)],
            "message_id": f"{index}",
        }
        started = time.perf_counter()
        try:
            async with client.post(f"{base}/api/chat/messages", json=body) as response:
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
        f"{args.citizens} citizens x {messages} messages, web chat API, loopback, "
        f"{args.workers} server process(es)"
    )
    for kind in kinds:
        serve_args = ("--workers", str(args.workers))
        with bench_database(kind) as url, running_server(url, args=serve_args) as (base, _):
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
