"""Kill a real sender process (SIGKILL) mid-batch, start another: every message exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.models import MessageStatus
from integrations.outbox.sender import DELIVERY_UNKNOWN
from tests.fakes.loopback import LoopbackServer
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import channel_env, new_citizen, outbox_rows, queue, wait_until

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def start_sender(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integrations.outbox_process"],
        cwd=REPO,
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("killed_during", ["sms", "telegram"])
def test_killing_the_sender_mid_batch_loses_nothing_and_sends_nothing_twice(
    killed_during: str,
    channel_services: Services,
    fake_telegram: FakeTelegramApi,
    fake_twilio: FakeTwilioApi,
    database_url: str,
    tmp_path: Path,
) -> None:
    now = channel_services.clock.now()
    expected_sms, expected_telegram = [], []
    for n in range(6):
        phone = f"+45610000{n:02d}"
        citizen, conversation = new_citizen(channel_services, Channel.SMS, phone, now, phone=phone)
        texts = [f"SMS {n}.{i}" for i in range(3)]
        queue(channel_services, citizen, conversation, texts)
        expected_sms += texts
        chat = str(800 + n)
        citizen, conversation = new_citizen(channel_services, Channel.TELEGRAM, chat, now)
        texts = [f"Telegram {n}.{i}" for i in range(3)]
        queue(channel_services, citizen, conversation, texts)
        expected_telegram += texts
    env = channel_env(database_url, fake_telegram, fake_twilio, tmp_path)
    # Far longer than the test may take: only the next sender seeing the first one's process
    # gone (same host) can free the interrupted chat, so no chat waits for a claim to run out.
    env["BORGERCHAT_OUTBOX__CLAIM_SECONDS"] = "600"
    held: LoopbackServer = fake_twilio if killed_during == "sms" else fake_telegram
    held.hold_after = 5  # the 5th message reaches the provider; its answer never comes back

    first = start_sender(env)
    try:
        assert held.held.wait(60), "the sender never reached the provider"
        if killed_during == "sms":
            # The Telegram lane does not wait for SMS: let it finish, or the kill may land in
            # one of its calls, which has no proof and rightly ends "delivery unknown".
            wait_until(lambda: len(fake_telegram.sent()) == len(expected_telegram), timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    held.hold_after = None
    held.release.set()
    assert 0 < len(outbox_rows(channel_services)) == 36
    assert any(r.status == MessageStatus.SENDING.value for r in outbox_rows(channel_services))

    second = start_sender(env)
    try:
        wait_until(
            lambda: all(
                r.status in (MessageStatus.SENT.value, MessageStatus.FAILED.value)
                for r in outbox_rows(channel_services)
            ),
            timeout=60,
        )
    finally:
        second.terminate()
        _, stderr = second.communicate(timeout=10)
    assert b"Traceback" not in stderr, stderr.decode()

    sms_counts = Counter(m["Body"] for m in fake_twilio.sent())
    telegram_counts = Counter(m["text"] for m in fake_telegram.sent())
    assert sms_counts == Counter(expected_sms)  # every SMS exactly once
    assert telegram_counts == Counter(expected_telegram)  # every Telegram message exactly once
    rows = outbox_rows(channel_services)
    # Twilio's message list proves what an interrupted SMS came to: every SMS row is sent.
    assert {r.status for r in rows if r.channel == "sms"} == {MessageStatus.SENT.value}
    # Telegram cannot prove it: a send on the way when the process died is flagged for a
    # person, never resent. The lanes send at once, so the kill may catch one Telegram send
    # on the way even while the SMS lane was held; never more than the lane has in flight.
    unknown = [r for r in rows if r.status != MessageStatus.SENT.value]
    assert all(r.channel == "telegram" for r in unknown)
    assert all((r.last_error or "").startswith(DELIVERY_UNKNOWN) for r in unknown)
    in_flight = channel_services.config.settings.outbox.sends_in_flight_per_channel
    assert len(unknown) <= in_flight
    if killed_during == "telegram":
        assert unknown
    assert "left sending by" in stderr.decode()  # settled at start-up: its sender was gone
