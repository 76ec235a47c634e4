"""``GET /metrics``: Prometheus's format, localhost only unless a bearer token is set, and
X-Forwarded-For cannot pass for localhost."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.runtime.config import load_config
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation, Message
from bot.wiring import build_services, create_app
from tests.chat import ChatTester
from tests.conftest import TEST_CLIENT_HOSTS

LOCAL = ("127.0.0.1", 40000)
ELSEWHERE = ("203.0.113.9", 40000)
TOKEN = "metrics-token-for-tests-0123456789"


def metrics_services(
    database_url: str, tmp_path: Path, engine: Engine, clock: FixedClock, **env: str
) -> Services:
    config = load_config(
        env={
            "DATABASE_URL": database_url,
            "BORGERCHAT_NLU__MODEL_DIR": str(tmp_path / "nlu"),
            **TEST_CLIENT_HOSTS,
            **env,
        }
    )
    return build_services(config, engine=engine, clock=clock)


@pytest.fixture
def plain(database_url: str, tmp_path: Path, engine: Engine, clock: FixedClock) -> Services:
    return metrics_services(database_url, tmp_path, engine, clock)


def scrape(services: Services, peer: tuple[str, int], **headers: str) -> tuple[int, str]:
    client = TestClient(create_app(services), client=peer)
    response = client.get("/metrics", headers=headers)
    return response.status_code, response.text


def values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_localhost_reads_counters_and_database_gauges_in_prometheus_format(
    plain: Services,
) -> None:
    before = values(scrape(plain, LOCAL)[1])
    chat = ChatTester(plain)
    chat.say("Hej")
    chat.say("xqzv blorp")  # not understood: a low-confidence read
    now = plain.clock.now()
    with transaction(plain.session_factory) as session:
        conversation = session.query(Conversation).one()
        conversation.status = "waiting"
        conversation.waiting_since = now - timedelta(minutes=12)
        session.add(
            Message(
                conversation_id=conversation.id,
                citizen_id=conversation.citizen_id,
                direction="out",
                sender="consultant",
                channel=Channel.SMS.value,
                address="+4520304050",
                text="Hej",
                choices=[],
                status="queued",
                attempts=3,
                next_attempt_at=now - timedelta(seconds=90),
                created_at=now,
            )
        )

    status, text = scrape(plain, LOCAL)
    after = values(text)

    assert status == 200
    web = (("channel", "web"),)

    def grew(name: str, labels: tuple[tuple[str, str], ...] = ()) -> float:
        return after[(name, labels)] - before.get((name, labels), 0.0)

    assert grew("borgerchat_messages_in_total", web) == 2
    assert grew("borgerchat_messages_out_total", web) >= 2
    assert grew("borgerchat_low_confidence_total") >= 1
    assert after[("borgerchat_queue_length", ())] == 1
    assert after[("borgerchat_queue_oldest_wait_seconds", ())] == 12 * 60
    sms = (("channel", "sms"),)
    assert after[("borgerchat_outbox_pending", sms)] == 1
    assert after[("borgerchat_outbox_lag_seconds", sms)] == 90
    assert after[("borgerchat_outbox_retries", sms)] == 2
    assert ("borgerchat_reminders_due", ()) in after


def test_without_a_token_only_localhost_is_answered_and_a_forwarded_header_is_not_local(
    plain: Services,
) -> None:
    assert scrape(plain, ELSEWHERE)[0] == 403
    # A request a proxy on this machine forwards, or one that claims to be forwarded.
    assert scrape(plain, LOCAL, **{"X-Forwarded-For": "127.0.0.1"})[0] == 403
    # No token is set: no bearer opens it.
    assert scrape(plain, ELSEWHERE, Authorization="Bearer guessed")[0] == 403


def test_a_trusted_proxy_on_localhost_cannot_make_a_remote_request_local(
    database_url: str, tmp_path: Path, engine: Engine, clock: FixedClock
) -> None:
    services = metrics_services(
        database_url,
        tmp_path,
        engine,
        clock,
        BORGERCHAT_INBOX__TRUSTED_PROXIES='["127.0.0.1"]',
    )
    assert scrape(services, LOCAL, **{"X-Forwarded-For": "127.0.0.1"})[0] == 403
    assert scrape(services, LOCAL)[0] == 403  # the proxy itself forwards anyone's request


def test_a_bearer_token_opens_metrics_to_a_scraper_elsewhere(
    database_url: str, tmp_path: Path, engine: Engine, clock: FixedClock
) -> None:
    services = metrics_services(
        database_url, tmp_path, engine, clock, BORGERCHAT_METRICS_TOKEN=TOKEN
    )
    assert scrape(services, ELSEWHERE)[0] == 401
    assert scrape(services, ELSEWHERE, Authorization="Bearer wrong-token")[0] == 403
    status, text = scrape(services, ELSEWHERE, Authorization=f"Bearer {TOKEN}")
    assert status == 200
    assert "borgerchat_outbox_pending" in text or "borgerchat_queue_length" in text
    assert scrape(services, LOCAL)[0] == 200
