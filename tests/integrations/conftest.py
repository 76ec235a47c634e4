"""Fixtures for the channels: fake Bot API and Twilio servers on loopback, services wired to
them through the real configuration, and helpers to sign and queue messages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from twilio.request_validator import RequestValidator

from bot.domain.delivery import enqueue_proactive
from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.runtime.config import AppConfig, load_config
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import ChannelIdentity, Citizen, Conversation, Message
from bot.wiring import build_services, create_app
from integrations.channels import ChannelServices
from integrations.outbox.sender import OutboxSender
from tests.conftest import TEST_CLIENT_HOSTS
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi

BOT_TOKEN = "123456:TEST-fake-token"
WEBHOOK_SECRET = "webhook-secret-for-tests"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-auth-token-for-tests"
FROM_NUMBER = "+4570000000"
PUBLIC_URL = "https://chat.kommune.test"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi(BOT_TOKEN) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake  # type: ignore[misc]


def channel_env(
    database_url: str, telegram: FakeTelegramApi, twilio: FakeTwilioApi, tmp: Path
) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "BORGERCHAT_NLU__MODEL_DIR": str(tmp / "nlu"),
        "BORGERCHAT_SERVER__PUBLIC_URL": PUBLIC_URL,
        "BORGERCHAT_TELEGRAM__BASE_URL": telegram.base_url,
        "BORGERCHAT_TELEGRAM__BASE_FILE_URL": telegram.url + "/file/bot",
        "BORGERCHAT_TELEGRAM__MESSAGES_PER_CHAT_PER_SECOND": "100",
        "BORGERCHAT_TWILIO__BASE_URL": twilio.url,
        "BORGERCHAT_TWILIO__MESSAGES_PER_SECOND": "100",
        "BORGERCHAT_OUTBOX__POLL_INTERVAL_SECONDS": "0.05",
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        **TEST_CLIENT_HOSTS,
    }


@pytest.fixture
def channel_config(
    database_url: str, fake_telegram: FakeTelegramApi, fake_twilio: FakeTwilioApi, tmp_path: Path
) -> AppConfig:
    return load_config(env=channel_env(database_url, fake_telegram, fake_twilio, tmp_path))


@pytest.fixture
def channel_services(channel_config: AppConfig, engine: Engine, clock: FixedClock) -> Services:
    return build_services(channel_config, engine=engine, clock=clock)


@pytest.fixture
def channels(channel_services: Services) -> ChannelServices:
    assert channel_services.channels is not None
    return channel_services.channels


@pytest.fixture
def sender(channels: ChannelServices) -> OutboxSender:
    assert channels.outbox is not None
    return channels.outbox


@pytest.fixture
def channel_client(channel_services: Services) -> Iterator[TestClient]:
    """The app with its workers running: the outbox sender delivers to the fakes."""
    with TestClient(create_app(channel_services)) as client:
        yield client


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    signature: str = RequestValidator(token).compute_signature(url, params)
    return signature


def wait_until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def count_rows(services: Services, model: type[object]) -> int:
    with transaction(services.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def new_citizen(
    services: Services, channel: Channel, address: str, now: datetime, *, phone: str | None = None
) -> tuple[int, int]:
    """A citizen with one identity and an open conversation: (citizen id, conversation id)."""
    with transaction(services.session_factory) as session:
        citizen = Citizen(
            language="da", phone=phone, last_channel=channel.value, created_at=now, last_seen_at=now
        )
        session.add(citizen)
        session.flush()
        session.add(
            ChannelIdentity(
                citizen_id=citizen.id,
                channel=channel.value,
                address=address,
                created_at=now,
                last_seen_at=now,
            )
        )
        conversation = Conversation(citizen_id=citizen.id, flow_state={}, created_at=now)
        session.add(conversation)
        session.flush()
        return citizen.id, conversation.id


def queue(services: Services, citizen_id: int, conversation_id: int, texts: list[str]) -> list[int]:
    now = services.clock.now()
    ids = []
    with transaction(services.session_factory) as session:
        citizen = session.get(Citizen, citizen_id)
        assert citizen is not None
        for text in texts:
            row = enqueue_proactive(
                session, citizen=citizen, conversation_id=conversation_id, text=text, now=now
            )
            ids.append(row.id)
    return ids


async def run_until_idle(sender: OutboxSender, *, max_rounds: int = 100) -> int:
    """Run the sender's rounds until one handles nothing; return the rows handled."""
    total = 0
    for _ in range(max_rounds):
        handled = await sender.run_once()
        total += handled
        if not handled:
            break
    return total


def outbox_rows(services: Services) -> list[Message]:
    with transaction(services.session_factory) as session:
        return list(
            session.scalars(
                select(Message).where(Message.direction == "out").order_by(Message.id)
            ).all()
        )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
