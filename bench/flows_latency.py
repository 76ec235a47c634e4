"""Prints how long the dialogue flows take per message: the pure engine step alone, and a whole
message through the dispatcher (NLU, context loading, flow, effects, SQLite) with the demo data.

Run: .venv/bin/python bench/flows_latency.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

from bot.cli.demo import seed_demo
from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel, InboundMessage
from bot.pipeline.port import Delivery
from bot.runtime.config import load_config
from bot.store.db import create_db_engine, transaction
from bot.store.migrate import upgrade
from bot.wiring import build_services
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import FlowContext, KnownFacts, SlotOffer
from nlu.types import IntentScore, ParseResult

SCRIPT = (
    ("hej", "greet"),
    ("jeg vil gerne booke en tid", "book_meeting"),
    ("den anden", "nlu_fallback"),
    ("ja", "affirm"),
    ("hvornår er mit møde", "meeting_info"),
    ("jeg er syg i dag", "fravaer"),
    ("hvad sker der med min førtidspension hvis jeg tjener penge", "loen_vs_pension"),
    ("efter 2003", "nlu_fallback"),
    ("nej tak", "deny"),
)
NOW = datetime(2026, 11, 23, 8, 12, tzinfo=UTC)


def _figures(name: str, samples: list[float]) -> None:
    samples_ms = sorted(sample * 1000 for sample in samples)
    p95 = samples_ms[int(len(samples_ms) * 0.95) - 1]
    print(
        f"{name}: n={len(samples_ms)} median={statistics.median(samples_ms):.2f} ms "
        f"p95={p95:.2f} ms max={samples_ms[-1]:.2f} ms"
    )


def bench_engine(rounds: int = 300) -> None:
    engine = FlowEngine(Content.load())
    slots = tuple(
        SlotOffer(n, NOW.replace(hour=9 + n % 6, day=24 + n // 6), NOW, "Anna", "Jobcentret")
        for n in range(30)
    )
    context = FlowContext(
        now=NOW, language="da", channel="web", citizen_id=1, facts=KnownFacts(free_slots=slots)
    )
    samples: list[float] = []
    for _ in range(rounds):
        state: dict[str, object] = {}
        for text, intent in SCRIPT:
            score = IntentScore(name=intent, confidence=0.9)
            parse = ParseResult(text=text, intent=score, entities=[], intent_ranking=[score])
            started = time.perf_counter()
            state = engine.step(state, parse, context).next_state
            samples.append(time.perf_counter() - started)
    _figures("engine.step (pure)", samples)


def bench_dispatcher(conversations: int = 20) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        config = load_config(
            env={"DATABASE_URL": url, "BORGERCHAT_NLU__MODEL_DIR": str(Path(folder) / "nlu")}
        )
        engine = create_db_engine(url)
        upgrade(engine)
        clock = FixedClock(NOW)
        services = build_services(config, engine=engine, clock=clock)
        with transaction(services.session_factory) as session:
            seed_demo(session, NOW, config.settings.tz)
        samples: list[float] = []
        statements = 0

        def count(*_args: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        for number in range(conversations):
            for index, (text, _intent) in enumerate(SCRIPT):
                inbound = InboundMessage(
                    Channel.WEB, f"bench-{number}", text, channel_message_id=f"b{number}-{index}"
                )
                started = time.perf_counter()
                services.dispatcher.handle(inbound, delivery=Delivery.INLINE)
                samples.append(time.perf_counter() - started)
        services.close()
    _figures("dispatcher.handle (NLU + flows + SQLite)", samples)
    print(f"SQL statements per message: {statements / len(samples):.1f} (BEGIN included)")


if __name__ == "__main__":
    bench_engine()
    bench_dispatcher()
