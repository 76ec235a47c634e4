"""Prints how long a citizen's file takes to fetch and store, and how long the event loop is
held meanwhile: Telegram files through python-telegram-bot's get_file and MMS media through
httpx, each against the loopback fakes; then a message with the file through the dispatcher into
SQLite.

Run: PYTHONPATH=. .venv/bin/python bench/attachments.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram import Message as TelegramMessage

from bot.kernel.messages import Attachment, Channel, InboundMessage
from bot.pipeline.port import Delivery
from bot.runtime.attachment_settings import AttachmentSettings
from bot.runtime.config import load_config
from bot.store.db import create_db_engine
from bot.store.migrate import upgrade
from bot.wiring import build_services
from integrations.telegram.files import TelegramFiles
from integrations.twilio.media import TwilioMedia
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi

TOKEN = "123456:BENCH-token"  # noqa: S105 - the fake's, not a secret
SID, AUTH = "AC" + "0" * 32, "bench-auth-token"
SIZES = (100_000, 1_000_000, 9_000_000)
ROUNDS = 5
SETTINGS = AttachmentSettings()


async def timed_with_loop_lag(work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(seconds the work took, the longest the event loop was held meanwhile, in ms)."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, (time.perf_counter() - before - 0.005) * 1000)

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    done = True
    await tick
    return took, worst


async def telegram(fake: FakeTelegramApi) -> None:
    bot = Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.url + "/file/bot")
    await bot.initialize()
    files = TelegramFiles(SETTINGS)
    for size in SIZES:
        data = b"%PDF" + b"0" * (size - 4)
        file_id = fake.add_file(data, path=f"documents/bench_{size}.pdf")
        document = {"file_id": file_id, "file_unique_id": "b", "mime_type": "application/pdf"}
        message = TelegramMessage.de_json(
            {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 1, "type": "private"},
                "document": document,
            },
            bot,
        )
        assert message is not None
        runs = [
            await timed_with_loop_lag(lambda m=message: files.fetch(bot, m)) for _ in range(ROUNDS)
        ]
        print(
            f"telegram get_file + download {size / 1e6:>4.1f} MB: "
            f"median {statistics.median(r[0] for r in runs) * 1000:6.1f} ms, "
            f"event loop held at most {max(r[1] for r in runs):5.1f} ms"
        )
    await bot.shutdown()


async def mms(fake: FakeTwilioApi) -> None:
    media = TwilioMedia(SETTINGS, fake.url, SID, AUTH)
    for size in SIZES:
        urls = [fake.add_media(b"\xff\xd8" + b"1" * (size - 2), "image/jpeg") for _ in range(2)]
        params = {"NumMedia": "2"}
        for index, url in enumerate(urls):
            params[f"MediaUrl{index}"] = url
            params[f"MediaContentType{index}"] = "image/jpeg"
        runs = [await timed_with_loop_lag(lambda p=params: media.fetch(p)) for _ in range(ROUNDS)]
        print(
            f"MMS 2 media x {size / 1e6:>4.1f} MB (basic auth + redirect): "
            f"median {statistics.median(r[0] for r in runs) * 1000:6.1f} ms, "
            f"event loop held at most {max(r[1] for r in runs):5.1f} ms"
        )


def store(tmp: Path) -> None:
    url = f"sqlite:///{tmp / 'bench.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    config = load_config(env={"DATABASE_URL": url, "BORGERCHAT_NLU__MODEL_DIR": str(tmp / "nlu")})
    services = build_services(config, engine=engine)
    try:
        for size in SIZES:
            took = []
            for round_ in range(ROUNDS):
                inbound = InboundMessage(
                    Channel.TELEGRAM,
                    str(7000 + round_),
                    "",
                    f"bench-{size}-{round_}",
                    attachments=(Attachment("document", "application/pdf", b"0" * size),),
                )
                started = time.perf_counter()
                services.dispatcher.handle(inbound, delivery=Delivery.OUTBOX)
                took.append(time.perf_counter() - started)
            print(
                f"dispatcher stores a {size / 1e6:>4.1f} MB file with its message (SQLite): "
                f"median {statistics.median(took) * 1000:6.1f} ms"
            )
        print(
            f"SQLite file after {ROUNDS * len(SIZES)} files: "
            f"{(tmp / 'bench.db').stat().st_size / 1e6:.1f} MB"
        )
    finally:
        services.close()


def main() -> None:
    with FakeTelegramApi(TOKEN) as telegram_fake, FakeTwilioApi(SID, AUTH) as twilio_fake:
        asyncio.run(telegram(telegram_fake))  # type: ignore[arg-type]
        asyncio.run(mms(twilio_fake))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        store(Path(tmp))


if __name__ == "__main__":
    main()
