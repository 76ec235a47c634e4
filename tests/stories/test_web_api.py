"""The issue's "done when", tried as a new user would through ``POST /api/chat/messages``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.cli.demo import seed_demo
from bot.services import Services
from bot.store.db import transaction


def _say(client: TestClient, session: str, text: str) -> str:
    response = client.post("/api/chat/messages", json={"session": session, "text": text})
    assert response.status_code == 200, response.text
    replies = response.json()["replies"]
    assert replies, text
    return "\n".join(reply["text"] for reply in replies)


def test_a_citizen_gets_help_with_every_topic_through_the_web_chat_api(
    client: TestClient, services: Services
) -> None:
    with transaction(services.session_factory) as session:
        seed_demo(session, services.clock.now(), services.config.settings.tz)
    me = "web-citizen-1"
    assert "2003" in _say(client, me, "hvad sker der med min pention hvis jeg tjener penge")
    assert "grænse" in _say(client, me, "efter 2003")
    _say(client, me, "nej tak")
    assert "Kilde:" in _say(client, me, "hvor mange feriedage har jeg i mit fleksjob")
    assert "Kilde:" in _say(client, me, "hvad sker der hvis jeg er syg og ikke kommer?")
    _say(client, me, "nej")
    assert "Hvilken slags arbejde" in _say(client, me, "jeg vil gerne have et job")
    _say(client, me, "stop")
    assert "Er det rigtigt?" in _say(client, me, "jeg er sygmeldt")
    assert "Vi har fået din sygemelding mandag kl. 09:12" in _say(client, me, "ja")
    assert "ledige tider" in _say(client, me, "kan jeg boke en tid")
    assert "Skal jeg booke" in _say(client, me, "den første")
    assert "booket" in _say(client, me, "ja")
    assert "Din næste tid" in _say(client, me, "hvornår er mit møde")
    assert "Hvilken ny tid" in _say(client, me, "jeg vil gerne flytte min tid")
    _say(client, me, "2")
    assert "flyttet" in _say(client, me, "ja")
    assert "aflyse" in _say(client, me, "aflys min tid")
    assert "aflyst" in _say(client, me, "ja")
    _say(client, me, "nej tak")
    assert "medarbejder" in _say(client, me, "jeg vil gerne snakke med et menneske")


def test_a_crisis_gets_livslinien_and_112_at_once_through_the_web_chat_api(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/chat/messages", json={"session": "web-citizen-2", "text": "jeg vil ikke leve mere"}
    )
    first = response.json()["replies"][0]["text"]  # the first reply: the numbers, nothing before
    assert first.split("\n")[0].endswith("ring 112.")
    assert "70 201 201" in first
