"""The inbox in a real browser: Debian's Chromium driven by Playwright, against a live server.

Outside CI these tests skip when no Chromium is installed (``apt-get install chromium``);
in CI (``CI=true``) a missing Chromium fails them, so they can never silently not run.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation
from bot.wiring import create_app
from tests.bot.inbox.conftest import PASSWORD, MakeConsultant

pytestmark = pytest.mark.browser

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


def _find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _find_chromium()
    if executable is None:
        message = "no Chromium found (install Debian's package: apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must run the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(services: Services) -> Iterator[str]:
    """The real app under uvicorn on a loopback port the OS picks, in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/inbox/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_citizen_asks_for_a_person_and_sees_the_consultants_reply(
    browser: Any, live_server: str, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    citizen = browser.new_context().new_page()
    citizen.set_default_timeout(TIMEOUT_MS)
    citizen.goto(f"{live_server}/chat")
    citizen.fill("#text", "Jeg vil gerne tale med et menneske om min praktik")
    citizen.press("#text", "Enter")
    citizen.wait_for_selector("#log li.bot")

    # The consultant works on a tablet: the inbox must be usable at 1024x768 with touch.
    consultant = browser.new_context(
        viewport={"width": 1024, "height": 768}, has_touch=True
    ).new_page()
    consultant.set_default_timeout(TIMEOUT_MS)
    _login(consultant, live_server, "anna", PASSWORD)
    consultant.wait_for_selector("text=Venter på en medarbejder (1)")
    consultant.click("text=Se samtalen")
    consultant.wait_for_selector("text=om min praktik")
    consultant.click("#claim")
    consultant.wait_for_selector("text=Du har taget samtalen")
    consultant.fill("#reply-text", "Hej, det er Anna fra jobcentret. Hvad drejer det sig om?")
    consultant.click("#send-reply")
    consultant.wait_for_selector("text=Svaret er sendt.")

    # The web chat polls every few seconds; the reply arrives without a reload.
    citizen.wait_for_selector("#log li.bot >> text=Hej, det er Anna fra jobcentret")
    # ...and the consultant's transcript shows it delivered, also without a reload.
    consultant.wait_for_selector(".delivery[data-status=delivered]")


def test_the_web_chat_shows_an_answers_sources_as_links_and_the_citizens_text_as_text(
    browser: Any, live_server: str
) -> None:
    citizen = browser.new_context().new_page()
    citizen.set_default_timeout(TIMEOUT_MS)
    citizen.goto(f"{live_server}/chat")
    citizen.fill("#text", "hvor mange fridage får man i et job https://example.org/x")
    citizen.press("#text", "Enter")
    citizen.wait_for_selector("#log li.bot a")
    links = citizen.eval_on_selector_all(
        "#log li.bot a", "els => els.map(a => [a.getAttribute('href'), a.textContent, a.rel])"
    )
    assert links
    for href, text, rel in links:
        assert href.startswith("https://")
        assert text == href
        assert "noopener" in rel
    assert citizen.locator("#log li.citizen a").count() == 0


def test_a_wrong_password_is_refused(
    browser: Any, live_server: str, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _login(page, live_server, "anna", "not-her-password")
    page.wait_for_selector("text=Forkert brugernavn eller adgangskode.")
    assert page.url.endswith("/inbox/login")
    page.goto(f"{live_server}/inbox")
    assert page.url.endswith("/inbox/login")  # still not logged in


def test_a_form_posted_without_its_csrf_token_is_refused(
    browser: Any, live_server: str, services: Services, make_consultant: MakeConsultant
) -> None:
    from tests.chat import ChatTester

    ChatTester(services, address="websession-csrf").say("menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
    make_consultant("anna")
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server}/inbox/conversations/{conversation_id}")
    page.eval_on_selector_all("input[name=csrf_token]", "inputs => inputs.forEach(i => i.remove())")
    page.click("#claim")
    page.wait_for_selector("text=Formularen er udløbet")
    with transaction(services.session_factory) as db:
        row = db.get(Conversation, conversation_id)
        assert row is not None
        assert row.status == "waiting"
