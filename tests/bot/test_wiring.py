"""The services close what they opened when the app shuts down: no client is left connected."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.runtime.config import load_config
from bot.services import Services
from bot.wiring import build_services, create_app
from tests.conftest import TEST_CLIENT_HOSTS
from tests.fakes.rasa import FakeRasa, fake_rasa_server
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    PUBLIC_URL,
    new_citizen,
    queue,
    wait_until,
)


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with fake_rasa_server() as fake:
        yield fake


@pytest.fixture
def twilio() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake  # type: ignore[misc]


def test_shutdown_closes_the_rasa_client_and_the_twilio_connections(
    database_url: str,
    engine: Engine,
    clock: FixedClock,
    tmp_path: Path,
    rasa: FakeRasa,
    twilio: FakeTwilioApi,
) -> None:
    config = load_config(
        env={
            "DATABASE_URL": database_url,
            "BORGERCHAT_NLU__MODEL_DIR": str(tmp_path / "nlu"),
            "BORGERCHAT_NLU__BACKEND": "rasa",
            "BORGERCHAT_NLU__RASA_URL": rasa.url,
            "BORGERCHAT_SERVER__PUBLIC_URL": PUBLIC_URL,
            **TEST_CLIENT_HOSTS,
            "BORGERCHAT_TWILIO__BASE_URL": twilio.url,
            "BORGERCHAT_OUTBOX__POLL_INTERVAL_SECONDS": "0.05",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
        }
    )
    services = build_services(config, engine=engine, clock=clock)
    with TestClient(create_app(services)) as client:
        answer = client.post("/nlu/parse", json={"text": "hvornår har i åbent"})
        assert answer.json()["intent"]["name"] == "greet"  # the fake Rasa's answer
        citizen_id, conversation_id = new_citizen(
            services, Channel.SMS, "+4520304050", clock.now(), phone="+4520304050"
        )
        queue(services, citizen_id, conversation_id, ["Husk din tid i morgen kl. 10."])
        wait_until(lambda: twilio.sent())
        # Both clients keep their connection alive for the next request.
        assert (rasa.connections.count, twilio.connections.count) == (1, 1)

    wait_until(lambda: (rasa.connections.count, twilio.connections.count) == (0, 0), timeout=5)


def test_a_started_app_keeps_its_start_up_objects_out_of_full_collections(
    services: Services,
) -> None:
    gc.unfreeze()  # whatever an earlier app in this test process froze
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(services)) as client:
            assert client.get("/healthz").status_code == 200
            # Modules, the NLU model and content are frozen: full collections skip them.
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
