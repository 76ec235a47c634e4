"""Shared fixtures: a migrated database, the services, an HTTP client, a chat tester."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.kernel.clock import FixedClock
from bot.runtime.config import AppConfig, load_config
from bot.services import Services
from bot.store.migrate import upgrade
from bot.wiring import build_services, create_app
from tests.chat import ChatTester
from tests.database import empty_all_tables, fresh_database, make_engine

# A Monday morning in winter time (CET, UTC+1).
REFERENCE_TIME = datetime(2026, 11, 23, 8, 12, tzinfo=UTC)
# The host name Starlette's test client sends, trusted besides the defaults (server.trusted_hosts).
TEST_CLIENT_HOSTS = {"BORGERCHAT_SERVER__TRUSTED_HOSTS": '["testserver", "localhost", "127.0.0.1"]'}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def shared_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(shared_engine: Engine) -> Iterator[Engine]:
    yield shared_engine
    empty_all_tables(shared_engine)


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> AppConfig:
    return load_config(
        env={
            "DATABASE_URL": database_url,
            "BORGERCHAT_NLU__MODEL_DIR": str(tmp_path / "nlu"),
            **TEST_CLIENT_HOSTS,
        }
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(REFERENCE_TIME)


@pytest.fixture
def services(app_config: AppConfig, engine: Engine, clock: FixedClock) -> Iterator[Services]:
    built = build_services(app_config, engine=engine, clock=clock)
    yield built
    built.resources.close()  # the engine is shared by the session's tests: only what it opened


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


@pytest.fixture
def chat(services: Services) -> ChatTester:
    return ChatTester(services)
