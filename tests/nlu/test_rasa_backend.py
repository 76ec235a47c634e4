"""The rasa backend against a real HTTP server on loopback, and its fallback to embedded."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from bot.runtime.config import AppConfig, load_config
from bot.wiring import build_recognizer, build_services, create_app
from nlu.concerns import ConcernReader
from nlu.embedded import EmbeddedRecognizer
from nlu.rasa_client import RasaRecognizer
from tests.conftest import REFERENCE_TIME
from tests.fakes.rasa import FakeRasa, fake_rasa_server


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with fake_rasa_server() as fake:
        yield fake


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_rasa_answers_are_passed_on_in_the_parse_shape(
    rasa: FakeRasa, recognizer: EmbeddedRecognizer
) -> None:
    rasa.answers["flyt min tid"] = {"name": "reschedule_meeting", "confidence": 0.88}
    backend = RasaRecognizer(rasa.url, timeout_seconds=2, fallback=recognizer)
    result = backend.parse("flyt min tid", now=REFERENCE_TIME)
    assert rasa.received == ["flyt min tid"]
    assert result["intent"] == {"name": "reschedule_meeting", "confidence": 0.88}
    assert set(result) == {"text", "intent", "entities", "intent_ranking"}


def test_entities_rasa_does_not_extract_are_added(
    rasa: FakeRasa, recognizer: EmbeddedRecognizer
) -> None:
    backend = RasaRecognizer(rasa.url, timeout_seconds=2, fallback=recognizer)
    result = backend.parse("kan jeg komme i morgen kl 10", now=REFERENCE_TIME)
    assert [(e["entity"], e["value"]) for e in result["entities"]] == [
        ("time", "2026-11-24T10:00:00+01:00")
    ]


def test_the_crisis_safety_net_also_covers_rasa(
    rasa: FakeRasa, recognizer: EmbeddedRecognizer
) -> None:
    rasa.answers["jeg vil ikke leve mere"] = {"name": "nlu_fallback", "confidence": 0.3}
    backend = RasaRecognizer(rasa.url, timeout_seconds=2, fallback=recognizer)
    assert backend.parse("jeg vil ikke leve mere")["intent"]["name"] == "crisis"


def test_an_unreachable_rasa_falls_back_to_embedded_and_says_so_once(
    recognizer: EmbeddedRecognizer, caplog: pytest.LogCaptureFixture
) -> None:
    backend = RasaRecognizer(
        f"http://127.0.0.1:{_unused_port()}", timeout_seconds=1, fallback=recognizer
    )
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_client"):
        first = backend.parse("jeg er syg i dag")
        second = backend.parse("hej")
    assert (first["intent"]["name"], second["intent"]["name"]) == ("fravaer", "greet")
    assert len([r for r in caplog.records if "embedded NLU" in r.getMessage()]) == 1


def test_a_failing_or_slow_rasa_falls_back(rasa: FakeRasa, recognizer: EmbeddedRecognizer) -> None:
    backend = RasaRecognizer(rasa.url, timeout_seconds=0.2, fallback=recognizer)
    rasa.status = 500
    assert backend.parse("stop sms")["intent"]["name"] == "opt_out"
    rasa.status, rasa.delay_seconds = 200, 1.0
    assert backend.parse("tak for hjælpen")["intent"]["name"] == "goodbye"


def test_a_rasa_answer_in_the_wrong_shape_falls_back(
    rasa: FakeRasa, recognizer: EmbeddedRecognizer
) -> None:
    rasa.answers["hej"] = {"confidence": 0.9}  # no intent name
    backend = RasaRecognizer(rasa.url, timeout_seconds=2, fallback=recognizer)
    assert backend.parse("hej")["intent"]["name"] == "greet"


def test_config_selects_the_backend(rasa: FakeRasa, model_dir_env: dict[str, str]) -> None:
    embedded = build_recognizer(load_config(env=model_dir_env))
    assert isinstance(embedded, ConcernReader)
    assert isinstance(embedded.recognizer, EmbeddedRecognizer)
    chosen = build_recognizer(
        load_config(
            env={
                **model_dir_env,
                "BORGERCHAT_NLU__BACKEND": "rasa",
                "BORGERCHAT_NLU__RASA_URL": rasa.url,
            }
        )
    )
    assert isinstance(chosen, ConcernReader)
    assert isinstance(chosen.recognizer, RasaRecognizer)
    assert chosen.parse("hvad som helst")["intent"]["name"] == "greet"
    assert rasa.received == ["hvad som helst"]


def test_a_slow_rasa_does_not_hold_up_other_requests(
    rasa: FakeRasa, recognizer: EmbeddedRecognizer, app_config: AppConfig, engine: Engine
) -> None:
    rasa.delay_seconds = 0.5
    backend = RasaRecognizer(rasa.url, timeout_seconds=5, fallback=recognizer)
    services = build_services(app_config, engine=engine, recognizer=backend)

    async def both() -> tuple[bool, int]:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            parsing = asyncio.create_task(client.post("/nlu/parse", json={"text": "hej"}))
            await asyncio.sleep(0.05)  # the parse is now waiting for Rasa
            health = await client.get("/healthz")
            still_parsing = not parsing.done()
            assert (await parsing).status_code == 200
            return still_parsing, health.status_code

    try:
        assert asyncio.run(both()) == (True, 200)
    finally:
        services.close()
        backend.close()
