"""The web chat in a real browser on a phone: a reload keeps the conversation, another browser
gets none of it, "Afslut samtale" and an idle session forget it; no page breaks the CSP.

Debian's Chromium driven by Playwright, as the inbox's browser tests (skipped without Chromium
outside CI, failed in CI).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, Conversation
from tests.bot.inbox.conftest import PASSWORD, MakeConsultant
from tests.bot.inbox.test_browser import TIMEOUT_MS

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SESSION_KEY = "borgerchat-session"
# Chromium reports each refused script, style or frame on the console, and as an event.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective);
});
"""


class Phone:
    """One browser (a context of its own) on a phone-sized screen, with its CSP reports."""

    def __init__(self, browser: Any, base: str, *, init_script: str = "") -> None:
        self.context = browser.new_context(**PHONE)
        self.context.add_init_script(REPORT_VIOLATIONS + init_script)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.violations: list[str] = []
        self.page.on("console", self._console)
        self.base = base

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def open_chat(self) -> None:
        self.page.goto(f"{self.base}/chat")
        self.page.wait_for_selector("#text")

    def say(self, text: str) -> None:
        before = self.page.locator("#log li.bot").count()
        self.page.fill("#text", text)
        self.page.press("#text", "Enter")
        self.page.locator("#log li.bot").nth(before).wait_for()

    def log(self) -> str:
        return str(self.page.inner_text("#log"))

    def key(self) -> str | None:
        return self.page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')")  # type: ignore[no-any-return]

    def wait_for_a_poll(self) -> None:
        # The page polls every 3 s; two rounds have surely run after 7 s.
        self.page.wait_for_timeout(7000)


@pytest.fixture
def phone(browser: Any, live_server: str) -> Callable[..., Phone]:
    phones: list[Phone] = []

    def make(init_script: str = "") -> Phone:
        made = Phone(browser, live_server, init_script=init_script)
        phones.append(made)
        return made

    yield make  # type: ignore[misc]
    for made in phones:
        made.context.close()


def test_a_reload_keeps_the_conversation_and_another_browser_gets_none_of_it(
    phone: Callable[..., Phone],
) -> None:
    citizen = phone()
    citizen.open_chat()
    citizen.say("hvad er et fleksjob")
    said = citizen.log()
    assert "hvad er et fleksjob" in said
    key = citizen.key()
    assert key
    # Not kept for every later user of this browser.
    assert citizen.page.evaluate(f"localStorage.getItem('{SESSION_KEY}')") is None

    citizen.page.reload()
    citizen.page.wait_for_selector("#log li.citizen >> text=hvad er et fleksjob")
    assert "hvad er et fleksjob" in citizen.log()  # the history comes back
    assert citizen.key() == key

    stranger = phone()  # another browser, or the same one after the tab was closed
    stranger.open_chat()
    stranger.wait_for_a_poll()
    assert "hvad er et fleksjob" not in stranger.log()
    assert stranger.key() != key
    assert citizen.violations == stranger.violations == []


def test_afslut_samtale_forgets_the_conversation_here_and_ends_it_on_the_server(
    phone: Callable[..., Phone], live_server: str
) -> None:
    citizen = phone()
    citizen.open_chat()
    citizen.say("hej")
    key = citizen.key()
    citizen.page.click("#end")
    citizen.page.wait_for_selector("#notice >> text=Samtalen er afsluttet")
    assert citizen.log() == ""
    assert citizen.key() not in (None, key)
    citizen.page.reload()
    citizen.wait_for_a_poll()
    assert citizen.log() == ""
    # The key itself is dead: whoever holds it gets nothing.
    answer = citizen.page.request.get(f"{live_server}/api/chat/messages?session={key}")
    assert answer.status == 410
    assert citizen.violations == []


def test_an_idle_session_is_cleared_from_a_page_left_open(
    phone: Callable[..., Phone], clock: FixedClock, services: Services
) -> None:
    citizen = phone()
    citizen.open_chat()
    citizen.say("hej")
    clock.set(clock.now() + timedelta(minutes=31))
    citizen.page.wait_for_selector("#notice >> text=Din samtale er slut")
    assert citizen.log() == ""
    # Writing again starts a new conversation with a new key.
    citizen.page.click("#send")  # the text box is empty: nothing is sent
    citizen.say("hej igen")
    with transaction(services.session_factory) as db:
        assert len(db.scalars(select(Citizen.id)).all()) == 2


def test_a_key_an_older_version_kept_in_local_storage_is_ended_and_shows_nothing(
    phone: Callable[..., Phone], live_server: str
) -> None:
    first = phone()
    first.open_chat()
    first.say("hej")
    key = first.key()
    # The next person at a library PC, whose browser kept the key the old way.
    library = phone(init_script=f"localStorage.setItem('{SESSION_KEY}', '{key}');")
    library.open_chat()
    library.wait_for_a_poll()
    assert library.log() == ""
    assert library.page.evaluate(f"localStorage.getItem('{SESSION_KEY}')") is None
    answer = library.page.request.get(f"{live_server}/api/chat/messages?session={key}")
    assert answer.status == 410


def test_no_inbox_page_breaks_the_content_security_policy(
    phone: Callable[..., Phone],
    live_server: str,
    services: Services,
    make_consultant: MakeConsultant,
) -> None:
    citizen = phone()
    citizen.open_chat()
    citizen.say("jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
        citizen_id = db.scalars(select(Citizen.id)).one()
    make_consultant("anna", role="admin")
    # The consultant on a tablet.
    tablet = phone()
    page = tablet.page
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server}/inbox/login")
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Venter på en medarbejder (1)")
    for path in (
        "/inbox",
        f"/inbox/conversations/{conversation_id}",
        f"/inbox/citizens/{citizen_id}",
        "/inbox/bookings",
        "/inbox/slots",
        "/inbox/statistics",
        "/inbox/canned",
        "/inbox/audit",
    ):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("load")
    page.goto(f"{live_server}/inbox/conversations/{conversation_id}")
    page.click("#claim")
    page.wait_for_selector("text=Du har taget samtalen")
    page.wait_for_timeout(4500)  # the live transcript refreshes once
    assert tablet.violations == []
    assert citizen.violations == []
