"""Each channel sends in its own lane, a slow send keeps its claim, and a dead sender is known
by its identity: no channel waits for another and no chat waits for a claim to run out."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.runtime.config import load_config
from bot.services import Services
from bot.store.models import MessageStatus
from bot.wiring import build_services
from integrations.outbox.identity import SenderIdentity
from integrations.outbox.sender import OutboxSender
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import channel_env, new_citizen, outbox_rows, queue

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning"),
]


def services_with(
    database_url: str,
    engine: Engine,
    telegram: FakeTelegramApi,
    twilio: FakeTwilioApi,
    tmp_path: Path,
    clock: FixedClock | None,
    **settings: str,
) -> Services:
    env = channel_env(database_url, telegram, twilio, tmp_path)
    env.update({f"BORGERCHAT_{key.upper()}": value for key, value in settings.items()})
    return build_services(load_config(env=env), engine=engine, clock=clock)


def outbox_of(services: Services) -> OutboxSender:
    assert services.channels is not None
    assert services.channels.outbox is not None
    return services.channels.outbox


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_telegram_replies_do_not_wait_for_an_sms_backlog(
    database_url: str,
    engine: Engine,
    fake_telegram: FakeTelegramApi,
    fake_twilio: FakeTwilioApi,
    tmp_path: Path,
    clock: FixedClock,
) -> None:
    # One SMS every 5 seconds: a shared send loop would space the Telegram replies so too.
    services = services_with(
        database_url,
        engine,
        fake_telegram,
        fake_twilio,
        tmp_path,
        clock,
        twilio__messages_per_second="0.2",
    )
    now = clock.now()
    for n in range(5):
        phone = f"+4561{n:06d}"
        citizen, conversation = new_citizen(services, Channel.SMS, phone, now, phone=phone)
        queue(services, citizen, conversation, [f"sms {n}"])
    for n in range(4):
        citizen, conversation = new_citizen(services, Channel.TELEGRAM, str(900 + n), now)
        queue(services, citizen, conversation, [f"svar {n}", f"og mere {n}"])
    sender = outbox_of(services)

    await sender.start()
    try:
        await until(lambda: len(fake_telegram.sent()) == 8)
        sms_meanwhile = len(fake_twilio.sent())
    finally:
        await sender.stop()

    assert sms_meanwhile <= 1  # the SMS lane kept its own pace and held nobody up
    for n in range(4):  # one chat's messages still in order
        assert [m["text"] for m in fake_telegram.sent(str(900 + n))] == [
            f"svar {n}",
            f"og mere {n}",
        ]


async def test_a_send_slower_than_the_claim_keeps_it_by_the_heartbeat(
    database_url: str,
    engine: Engine,
    fake_telegram: FakeTelegramApi,
    fake_twilio: FakeTwilioApi,
    tmp_path: Path,
) -> None:
    # Real time here: the claim lasts 0.3 s and the send takes far longer.
    first, second = (
        services_with(
            database_url,
            engine,
            fake_telegram,
            fake_twilio,
            tmp_path,
            None,
            outbox__claim_seconds="0.3",
        )
        for _ in range(2)
    )
    citizen, conversation = new_citizen(first, Channel.TELEGRAM, "4711", first.clock.now())
    queue(first, citizen, conversation, ["langsomt svar"])
    fake_telegram.hold_after = 1
    holder = outbox_of(first)

    await holder.start()
    try:
        await until(fake_telegram.held.is_set)
        for _ in range(10):  # the other sender looks for stuck rows for a second and a half
            await outbox_of(second).run_once()
            await asyncio.sleep(0.15)
        [row] = outbox_rows(first)
        assert row.status == MessageStatus.SENDING.value  # not taken over, not flagged
        assert row.claimed_by == str(holder.identity)
        fake_telegram.release.set()
        await until(lambda: outbox_rows(first)[0].status == MessageStatus.SENT.value)
    finally:
        await holder.stop()

    assert [m["text"] for m in fake_telegram.sent()] == ["langsomt svar"]


def test_a_sender_knows_a_sender_on_its_host_is_gone_and_never_judges_another_host() -> None:
    me = SenderIdentity.new()
    script = "import os; print(os.getpid())"
    finished = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    gone_pid = int(finished.stdout)
    assert me.is_dead(f"{me.namespace}:{gone_pid}:abcd1234")  # its process has ended
    assert me.is_dead(f"{me.namespace}:{me.pid}:0ld70ken")  # this pid's previous run
    sibling = SenderIdentity.new()  # another sender in this very process
    assert not me.is_dead(str(sibling))
    sibling.retire()  # stopped: its leftovers may be settled
    assert me.is_dead(str(sibling))
    assert not me.is_dead(f"other-host/1:{gone_pid}:abcd1234")  # elsewhere: only the claim
    assert not me.is_dead("garbage")
