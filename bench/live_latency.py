"""Live latency: a consultant's reply to the citizen's page, and a citizen's message to the inbox.

Two server processes on one database (SQLite file or PostgreSQL): the citizen talks to one, the
consultant to the other, so every figure crosses processes (SQLite: each process's
``data_version`` poller; PostgreSQL: LISTEN/NOTIFY). Each direction is measured twice:

- before: as the pages polled until now (web chat every 3 s, a conversation page every 3 s);
- after: Server-Sent Events (``/api/chat/events``, ``/inbox/live``).

Prints figures; asserts nothing.

    .venv/bin/python bench/live_latency.py --database both --rounds 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import select

from bot.cli.consultant import upsert_consultant
from bot.store.db import create_db_engine, transaction
from bot.store.models import Conversation
from tests.live_server import QUIET, bench_database, running_server

PASSWORD = "bench-password-1"  # noqa: S105 (a throwaway bench database)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHAT_POLL_SECONDS = 3.0  # bot/web/static/chat.js before
TRANSCRIPT_POLL_SECONDS = 3.0  # conversation.html's data-interval


async def sse(client: httpx.AsyncClient, url: str) -> AsyncIterator[tuple[str, str]]:
    """(event, data) pairs of a Server-Sent Events stream."""
    async with client.stream("GET", url, timeout=None) as response:
        event, data = "message", []
        async for line in response.aiter_lines():
            if not line:
                if data:
                    yield event, "\n".join(data)
                event, data = "message", []
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))


class Setup:
    def __init__(self, citizen_base: str, consultant_base: str) -> None:
        self.citizen = httpx.AsyncClient(base_url=citizen_base, timeout=30)
        self.consultant = httpx.AsyncClient(base_url=consultant_base, timeout=30)
        self.session = f"bench-live-{random.randrange(10**9):09d}"
        self.csrf = ""
        self.conversation_id = 0

    async def start(self, database_url: str) -> None:
        engine = create_db_engine(database_url)
        with transaction(engine_sessions(engine)) as db:
            upsert_consultant(
                db,
                username="bench",
                display_name="Bench",
                team="Bench",
                role="admin",
                password=PASSWORD,
                replace=True,
            )
        page = (await self.consultant.get("/inbox/login")).text
        token = CSRF.search(page)
        assert token
        await self.consultant.post(
            "/inbox/login",
            data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        await self.say("jeg vil gerne tale med et menneske")
        with transaction(engine_sessions(engine)) as db:
            self.conversation_id = int(
                db.scalars(select(Conversation.id).order_by(Conversation.id.desc())).first() or 0
            )
        engine.dispose()
        page = (await self.consultant.get(f"/inbox/conversations/{self.conversation_id}")).text
        csrf = CSRF.search(page)
        assert csrf
        self.csrf = csrf.group(1)
        await self.consultant.post(
            f"/inbox/conversations/{self.conversation_id}/claim", data={"csrf_token": self.csrf}
        )

    async def say(self, text: str) -> None:
        answer = await self.citizen.post(
            "/api/chat/messages", json={"session": self.session, "text": text}
        )
        answer.raise_for_status()

    async def reply(self, text: str) -> None:
        await self.consultant.post(
            f"/inbox/conversations/{self.conversation_id}/reply",
            data={"csrf_token": self.csrf, "text": text},
        )

    async def close(self) -> None:
        await self.citizen.aclose()
        await self.consultant.aclose()


def engine_sessions(engine: object) -> object:
    from bot.store.db import create_session_factory

    return create_session_factory(engine)  # type: ignore[arg-type]


async def polled(
    poll: Callable[[], Awaitable[bool]], send: Callable[[], Awaitable[None]], every: float
) -> float:
    """The old page: it polls every ``every`` s on its own; the message is sent at a moment the
    page does not know. The time from sending to the first poll that shows it."""
    sent: list[float] = []

    async def sender() -> None:
        await asyncio.sleep(random.uniform(0.1, every))
        sent.append(time.perf_counter())
        await send()

    task = asyncio.create_task(sender())
    while True:
        polled_at = time.perf_counter()
        if sent and await poll():
            await task
            return time.perf_counter() - sent[0]
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - polled_at)))


async def reply_polled(setup: Setup, text: str) -> float:
    async def poll() -> bool:
        answer = await setup.citizen.get(
            "/api/chat/messages", params={"session": setup.session, "after": 0}
        )
        return any(text in reply["text"] for reply in answer.json()["replies"])

    return await polled(poll, lambda: setup.reply(text), CHAT_POLL_SECONDS)


async def reply_live(setup: Setup, text: str) -> float:
    answer = await setup.citizen.post("/api/chat/events-token", json={"session": setup.session})
    token = answer.json()["token"]
    stream = sse(setup.citizen, f"/api/chat/events?token={token}")
    ready = asyncio.Event()

    async def read() -> float:
        ready.set()
        async for event, data in stream:
            if event == "replies" and text in data:
                return time.perf_counter()
        raise RuntimeError("the stream ended")

    reader = asyncio.create_task(read())
    await ready.wait()
    await asyncio.sleep(0.3)  # the stream is open and has read once
    sent = time.perf_counter()
    await setup.reply(text)
    arrived = await asyncio.wait_for(reader, 10)
    await stream.aclose()
    return arrived - sent


def transcript_path(setup: Setup) -> str:
    return f"/inbox/conversations/{setup.conversation_id}/transcript.fragment"


async def inbox_polled(setup: Setup, text: str) -> float:
    async def poll() -> bool:
        return text in (await setup.consultant.get(transcript_path(setup))).text

    return await polled(poll, lambda: setup.say(text), TRANSCRIPT_POLL_SECONDS)


async def inbox_live(setup: Setup, text: str) -> float:
    stream = sse(setup.consultant, f"/inbox/live?fragment={transcript_path(setup)}")
    first = asyncio.Event()

    async def read() -> float:
        async for event, data in stream:
            if event == "fragment":
                if text in json.loads(data)[1]:
                    return time.perf_counter()
                first.set()
        raise RuntimeError("the stream ended")

    reader = asyncio.create_task(read())
    await asyncio.wait_for(first.wait(), 10)
    sent = time.perf_counter()
    await setup.say(text)
    arrived = await asyncio.wait_for(reader, 10)
    await stream.aclose()
    return arrived - sent


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    return (
        f"  {name:38s} median {statistics.median(ms):7.0f} ms   "
        f"min {ms[0]:6.0f}   max {ms[-1]:6.0f}   (n={len(ms)})"
    )


async def measure(citizen_base: str, consultant_base: str, url: str, rounds: int) -> None:
    setup = Setup(citizen_base, consultant_base)
    await setup.start(url)
    try:
        runs = {
            "reply -> citizen, polling (before)": reply_polled,
            "reply -> citizen, SSE (after)": reply_live,
            "citizen -> inbox, polling (before)": inbox_polled,
            "citizen -> inbox, SSE (after)": inbox_live,
        }
        for name, run in runs.items():
            figures = [
                await run(setup, f"besked {name[:5]} {n} {time.time_ns()}") for n in range(rounds)
            ]
            print(summary(name, figures))
    finally:
        await setup.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        with (
            bench_database(kind) as url,
            running_server(url, QUIET) as (citizen_base, _),
            running_server(url, QUIET) as (consultant_base, _),
        ):
            print(f"{kind}: citizen on one server process, consultant on another")
            asyncio.run(measure(citizen_base, consultant_base, url, args.rounds))


if __name__ == "__main__":
    main()
