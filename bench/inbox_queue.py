"""Inbox: how long the polled queue list and a long conversation page take to render.

Fills a fresh database with waiting conversations (each with a few messages), logs a consultant
in, and times the pages a consultant's browser polls. Prints figures; asserts nothing.

    .venv/bin/python bench/inbox_queue.py --database sqlite --waiting 300 --rounds 50
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from bot.cli.consultant import upsert_consultant
from bot.runtime.config import load_config
from bot.store.db import create_db_engine, transaction
from bot.store.migrate import upgrade
from bot.store.models import ChannelIdentity, Citizen, Conversation, Message
from bot.wiring import build_services, create_app
from tests.live_server import bench_database

PASSWORD = "bench-password-1"  # noqa: S105 (a throwaway bench database)


def fill(services: object, waiting: int, messages: int, prefix: str) -> int:
    from bot.services import Services

    assert isinstance(services, Services)
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    with transaction(services.session_factory) as db:
        upsert_consultant(
            db,
            username="bench",
            display_name="Bench",
            team="Bench",
            role="admin",
            password=PASSWORD,
            replace=True,
        )
        last = 0
        for n in range(waiting):
            citizen = Citizen(language="da")
            db.add(citizen)
            db.flush()
            db.add(
                ChannelIdentity(citizen_id=citizen.id, channel="web", address=f"{prefix}-{n:06d}")
            )
            conversation = Conversation(
                citizen_id=citizen.id,
                status="waiting",
                flow_state={},
                priority=100 if n % 25 == 0 else 0,
                waiting_since=start + timedelta(seconds=n),
                handoff_reason="requested",
                handoff_summary={"intent": "human_handoff", "last_message": "menneske tak"},
            )
            db.add(conversation)
            db.flush()
            last = conversation.id
            for m in range(messages):
                db.add(
                    Message(
                        conversation_id=conversation.id,
                        citizen_id=citizen.id,
                        direction="in" if m % 2 == 0 else "out",
                        sender="citizen" if m % 2 == 0 else "bot",
                        channel="web",
                        address=f"{prefix}-{n:06d}",
                        text=f"besked {m} om fravær og ferie",
                        status="received" if m % 2 == 0 else "sent",
                        created_at=start + timedelta(seconds=n, milliseconds=m),
                    )
                )
    return last


def timed(client: TestClient, path: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{name:<44} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--waiting", type=int, default=300)
    parser.add_argument("--messages", type=int, default=6)
    parser.add_argument("--long", type=int, default=400, help="messages in the long chat")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with bench_database(args.database) as url:
        engine = create_db_engine(url)
        upgrade(engine)
        config = load_config(env={"DATABASE_URL": url, "BORGERCHAT_SECRET_KEY": "bench-key"})
        services = build_services(config, engine=engine)
        fill(services, args.waiting, args.messages, "queue")
        long_chat = fill(services, 1, args.long, "long")
        with TestClient(create_app(services)) as client:
            login = client.get("/inbox/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', login)
            assert token is not None
            client.post(
                "/inbox/login",
                data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)},
            )
            print(
                f"inbox bench on {args.database}: {args.waiting + 1} waiting conversations, "
                f"{args.rounds} rounds each"
            )
            report(
                "queue list (polled every 4 s, first 100)",
                timed(client, "/inbox/queue.fragment", args.rounds),
            )
            report(
                f"transcript of a {args.long}-message chat (polled)",
                timed(client, f"/inbox/conversations/{long_chat}/transcript.fragment", args.rounds),
            )
            report(
                "conversation page (audited view)",
                timed(client, f"/inbox/conversations/{long_chat}", args.rounds),
            )
        engine.dispose()


if __name__ == "__main__":
    main()
