"""Outbox sender throughput against the fake Bot API and Twilio API on loopback.

Queues messages for many chats, then times the sender(s) draining them: the machinery's own
cost with the rate limits lifted, and the configured Telegram limit (30/s) being kept. Prints
figures and checks every message was delivered exactly once.

Then the lanes: how long 16 Telegram replies (16 chats) wait with the default limits, alone
and with 1,000 SMS queued ahead of them (SMS goes at 1/s, so a shared send loop shows here).

    .venv/bin/python bench/outbox_throughput.py --database postgresql --messages 600
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.kernel.messages import Channel
from bot.runtime.config import load_config
from bot.services import Services
from bot.store.db import create_db_engine
from bot.store.migrate import upgrade
from bot.wiring import build_services
from integrations.outbox.sender import OutboxSender
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BOT_TOKEN,
    channel_env,
    new_citizen,
    queue,
    run_until_idle,
)
from tests.live_server import bench_database


def build(url: str, telegram: FakeTelegramApi, twilio: FakeTwilioApi, limits: bool) -> Services:
    env = channel_env(url, telegram, twilio, Path(tempfile.gettempdir()))
    if not limits:
        env["BORGERCHAT_TELEGRAM__MESSAGES_PER_SECOND"] = "100000"
        env["BORGERCHAT_TELEGRAM__MESSAGES_PER_CHAT_PER_SECOND"] = "100000"
        env["BORGERCHAT_TWILIO__MESSAGES_PER_SECOND"] = "100000"
    else:
        del env["BORGERCHAT_TELEGRAM__MESSAGES_PER_CHAT_PER_SECOND"]
        del env["BORGERCHAT_TWILIO__MESSAGES_PER_SECOND"]
    env["BORGERCHAT_OUTBOX__BATCH_SIZE"] = "1000"
    return build_services(load_config(env=env))


def fill(services: Services, channel: Channel, chats: int, per_chat: int) -> int:
    now = services.clock.now()
    for n in range(chats):
        address = str(10_000 + n) if channel == Channel.TELEGRAM else f"+4561{n:06d}"
        citizen, conversation = new_citizen(services, channel, address, now, phone=None)
        queue(services, citizen, conversation, [f"{address} #{i}" for i in range(per_chat)])
    return chats * per_chat


async def drain(senders: list[OutboxSender]) -> None:
    await asyncio.gather(*(run_until_idle(sender, max_rounds=10_000) for sender in senders))


def run(
    label: str, url: str, channel: Channel, chats: int, per_chat: int, senders: int, limits: bool
) -> None:
    with FakeTelegramApi(BOT_TOKEN) as telegram, FakeTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as twilio:
        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
        services = [build(url, telegram, twilio, limits) for _ in range(senders)]  # type: ignore[arg-type]
        total = fill(services[0], channel, chats, per_chat)
        outboxes = [s.channels.outbox for s in services if s.channels and s.channels.outbox]
        started = time.perf_counter()
        asyncio.run(drain(outboxes))
        elapsed = time.perf_counter() - started
        fake = telegram if channel == Channel.TELEGRAM else twilio
        key = "text" if channel == Channel.TELEGRAM else "Body"
        counts = Counter(call.params[key] for call in fake.deliveries())
        twice = sum(1 for c in counts.values() if c > 1)
        print(
            f"{label:<44} {total:>5} msgs  {elapsed:6.2f} s  {total / elapsed:8.1f} msg/s  "
            f"delivered {sum(counts.values())}  duplicates {twice}"
        )
        for s in services:
            s.close()


async def telegram_delays(
    sender: OutboxSender, telegram: FakeTelegramApi, texts: set[str], timeout: float
) -> list[float]:
    """Seconds from now until each of ``texts`` reached the fake Bot API (the sender runs)."""
    started = time.perf_counter()
    seen: dict[str, float] = {}
    await sender.start()
    sender.wake()
    try:
        while len(seen) < len(texts) and time.perf_counter() - started < timeout:
            for call in telegram.deliveries():
                text = call.params.get("text")
                if text in texts and text not in seen:
                    seen[text] = time.perf_counter() - started
            await asyncio.sleep(0.005)
    finally:
        await sender.stop()
    return sorted(seen.values())


def lanes(url: str, sms_queued: int, replies: int = 16, timeout: float = 120.0) -> None:
    with FakeTelegramApi(BOT_TOKEN) as telegram, FakeTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as twilio:
        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
        services = build(url, telegram, twilio, limits=True)  # type: ignore[arg-type]
        if sms_queued:
            fill(services, Channel.SMS, sms_queued, 1)
        now = services.clock.now()
        texts = set()
        for n in range(replies):
            chat = str(50_000 + n)
            citizen, conversation = new_citizen(services, Channel.TELEGRAM, chat, now)
            texts.add(f"svar til {chat}")
            queue(services, citizen, conversation, [f"svar til {chat}"])
        assert services.channels is not None
        assert services.channels.outbox is not None
        delays = asyncio.run(
            telegram_delays(services.channels.outbox, telegram, texts, timeout)  # type: ignore[arg-type]
        )
        label = f"telegram, {replies} replies, {sms_queued} SMS queued"
        if len(delays) < replies:
            print(f"{label:<44} only {len(delays)} of {replies} sent in {timeout:.0f} s")
        else:
            print(
                f"{label:<44} last {delays[-1]:6.2f} s  median {delays[len(delays) // 2]:6.2f} s  "
                f"SMS sent meanwhile {len(twilio.deliveries())}"
            )
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--lanes-only", action="store_true", help="only the lanes figures")
    args = parser.parse_args()
    if args.lanes_only:
        print(f"database: {args.database}")
        for sms_queued in (0, 1000):
            with bench_database(args.database) as url:
                lanes(url, sms_queued)
        return
    chats = max(1, args.messages // 4)
    print(f"database: {args.database}")
    for channel in (Channel.TELEGRAM, Channel.SMS):
        for senders in (1, 2):
            with bench_database(args.database) as url:
                run(
                    f"{channel.value}, {senders} sender(s), limits lifted",
                    url,
                    channel,
                    chats,
                    4,
                    senders,
                    limits=False,
                )
    with bench_database(args.database) as url:
        run(
            "telegram, 1 sender, default limits (30/s)",
            url,
            Channel.TELEGRAM,
            90,
            1,
            1,
            limits=True,
        )
    for sms_queued in (0, 1000):
        with bench_database(args.database) as url:
            lanes(url, sms_queued)


if __name__ == "__main__":
    main()
