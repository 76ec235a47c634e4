"""The live inbox in a real browser: a new chat shows in the queue and the tab title without a
reload, with a tone and a notification once the consultant turned them on with the button; a
crisis repeats its alert until someone takes it; the transcript follows the citizen live.
axe-core runs on every inbox page: nothing serious or critical.

The browser's sound and notifications are replaced, before any page script runs, by recorders
(the test cannot hear): what the page asked of them is what is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, Conversation
from tests.axe import assert_accessible
from tests.bot.inbox.conftest import PASSWORD, MakeConsultant
from tests.bot.inbox.test_browser import TIMEOUT_MS, browser, live_server  # noqa: F401 (fixtures)
from tests.bot.web.test_chat_live_browser import SHOTS
from tests.chat import ChatTester

pytestmark = pytest.mark.browser

RECORD_ALERTS = """
window.__notifications = [];
window.__tones = 0;
class RecordedNotification {
  static permission = "default";
  static requestPermission() {
    RecordedNotification.permission = "granted";
    return Promise.resolve("granted");
  }
  constructor(title, options) { window.__notifications.push({title, ...options}); }
}
window.Notification = RecordedNotification;
class RecordedAudio {
  constructor() { this.state = "running"; this.currentTime = 0; this.destination = {}; }
  resume() { return Promise.resolve(); }
  createGain() {
    return {gain: {setValueAtTime() {}, exponentialRampToValueAtTime() {}}, connect: (x) => x};
  }
  createOscillator() {
    window.__tones += 1;
    return {frequency: {}, connect: (x) => x, start() {}, stop() {}};
  }
}
window.AudioContext = RecordedAudio;
"""


class Consultant:
    def __init__(self, chromium: Any, base: str) -> None:
        self.context = chromium.new_context(viewport={"width": 1280, "height": 800})
        self.context.add_init_script(RECORD_ALERTS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.base = base

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/inbox/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("#queue")

    def notifications(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("window.__notifications"))

    def tones(self) -> int:
        return int(self.page.evaluate("window.__tones"))

    def wait_until(self, check: Any, seconds: float) -> None:
        for _ in range(int(seconds * 10)):
            if check():
                return
            self.page.wait_for_timeout(100)
        assert check()


@pytest.fixture
def consultant(
    browser: Any,  # noqa: F811 (the fixture)
    live_server: str,  # noqa: F811
    make_consultant: MakeConsultant,
) -> Iterator[Any]:
    make_consultant("anna")
    made = Consultant(browser, live_server)
    made.log_in("anna")
    yield made
    made.context.close()


def test_a_new_chat_counts_in_the_title_and_alerts_once_turned_on(
    consultant: Consultant, services: Services
) -> None:
    page = consultant.page
    title = page.title()
    assert not title.startswith("(")
    page.wait_for_selector("#queue[data-live=on]")  # the stream is open: no more polling
    page.click("#alerts-toggle")  # the permission is asked here, never on load
    page.wait_for_selector("#alerts-toggle[aria-pressed=true]")

    ChatTester(services, address="websession-live-1").say("jeg vil gerne tale med et menneske")
    page.wait_for_selector("#waiting")
    consultant.wait_until(lambda: page.title().startswith("(1) "), 15)
    consultant.wait_until(lambda: consultant.notifications(), 15)
    assert consultant.notifications()[0]["title"] == "Ny chat venter"
    assert consultant.tones() >= 2
    assert page.is_hidden("#crisis-alert")
    assert_accessible(page, "the queue with a waiting chat")


def test_a_crisis_alerts_again_until_someone_takes_it(
    consultant: Consultant, services: Services
) -> None:
    page = consultant.page
    page.click("#alerts-toggle")
    page.wait_for_selector("#queue[data-live=on]")
    ChatTester(services, address="websession-live-2").say("jeg vil ikke leve mere")
    page.wait_for_selector("#crisis-alert:visible")
    consultant.wait_until(lambda: consultant.notifications(), 15)
    first = consultant.notifications()[0]
    assert first["title"] == "KRISE: en borger venter"
    assert first["requireInteraction"] is True
    assert_accessible(page, "the queue with a crisis waiting")
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "6-inbox-crisis-alert-phone.png"))
    assert_accessible(page, "the queue with a crisis waiting, phone-sized")
    # Not taken: it comes again (every 15 s).
    consultant.wait_until(lambda: len(consultant.notifications()) >= 2, 20)

    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
    page.goto(f"{consultant.base}/inbox/conversations/{conversation_id}")
    page.click("#claim")
    page.wait_for_selector("text=Du har taget samtalen")
    page.wait_for_selector("#crisis-alert", state="hidden")
    counted = len(consultant.notifications())
    page.wait_for_timeout(16_000)
    assert len(consultant.notifications()) == counted  # taken: no more alerts


def test_the_transcript_follows_the_citizen_live(
    consultant: Consultant, services: Services
) -> None:
    citizen = ChatTester(services, address="websession-live-3")
    citizen.say("jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
    page = consultant.page
    page.goto(f"{consultant.base}/inbox/conversations/{conversation_id}")
    page.click("#claim")
    page.wait_for_selector("#transcript[data-live=on]")
    citizen.say("Jeg har fået et brev om min praktik")
    page.wait_for_selector("#transcript >> text=Jeg har fået et brev om min praktik")
    assert_accessible(page, "a conversation page")


def test_no_inbox_page_has_a_serious_accessibility_violation(
    consultant: Consultant, services: Services, make_consultant: MakeConsultant
) -> None:
    make_consultant("berit", role="admin")
    ChatTester(services, address="websession-live-4").say("jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
        citizen_id = db.scalars(select(Citizen.id)).one()
    admin = Consultant(consultant.page.context.browser, consultant.base)
    admin.page.goto(f"{consultant.base}/inbox/login")
    assert_accessible(admin.page, "the login page")
    admin.log_in("berit")
    for path in (
        "/inbox",
        f"/inbox/conversations/{conversation_id}",
        f"/inbox/citizens/{citizen_id}",
        "/inbox/bookings",
        "/inbox/slots",
        "/inbox/statistics",
        "/inbox/canned",
        "/inbox/audit",
        "/inbox/content",
        "/accessibility",
    ):
        admin.page.goto(f"{consultant.base}{path}")
        admin.page.wait_for_load_state("load")
        assert_accessible(admin.page, path)
    admin.context.close()
