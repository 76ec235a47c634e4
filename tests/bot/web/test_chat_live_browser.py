"""The web chat on a phone and a laptop: it greets with its menu, keeps the newest message and
its buttons in view, says who speaks, numbers its choices, moves focus to the answer, makes
phone numbers callable, keeps the conversation over a reload from the server (a message sent
before it is back shows once), and gets a consultant's answer live, without the session key in
any URL; axe-core finds nothing serious on any page. Phone-size screenshots go to
/tmp/borgerchat-screenshots (never the repo).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation
from tests.axe import assert_accessible
from tests.bot.inbox.conftest import PASSWORD, MakeConsultant
from tests.bot.inbox.test_browser import TIMEOUT_MS

pytestmark = pytest.mark.browser

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
# Outside the checkout: screenshots are looked at, never committed.
SHOTS = Path(tempfile.gettempdir()) / "borgerchat-screenshots"
SESSION_KEY = "borgerchat-session"


@pytest.fixture(params=sorted(SCREENS))
def screen(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Citizen:
    def __init__(self, browser: Any, base: str, screen: str) -> None:
        self.context = browser.new_context(**SCREENS[screen])
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.urls: list[str] = []
        self.page.on("request", lambda request: self.urls.append(request.url))
        self.base = base
        self.screen = screen

    def open_chat(self, lang: str = "da") -> None:
        self.page.goto(f"{self.base}/chat?lang={lang}")
        self.page.wait_for_selector("#greeting")

    def say(self, text: str) -> Any:
        before = self.page.locator("#log li.bot").count()
        self.page.fill("#text", text)
        self.page.press("#text", "Enter")
        newest = self.page.locator("#log li.bot").nth(before)
        newest.wait_for()
        return newest

    def key(self) -> str:
        return str(self.page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')"))

    def shot(self, name: str) -> None:
        if self.screen == "phone":
            SHOTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def newest_in_view(self) -> bool:
        """The newest message and its buttons end above the composer, inside the window."""
        return bool(
            self.page.evaluate(
                """() => {
                  const items = document.querySelectorAll('#log li');
                  const last = items[items.length - 1];
                  const composer = document.getElementById('composer').getBoundingClientRect();
                  const box = last.getBoundingClientRect();
                  return box.bottom <= composer.top + 1 && box.bottom <= window.innerHeight;
                }"""
            )
        )


@pytest.fixture
def citizen(browser: Any, live_server: str, screen: str) -> Iterator[Citizen]:
    made = Citizen(browser, live_server, screen)
    yield made
    made.context.close()


def test_the_chat_greets_with_a_numbered_menu_and_the_answer_to_a_choice_is_in_view_and_focused(
    citizen: Citizen,
) -> None:
    citizen.open_chat()
    greeting = citizen.page.inner_text("#greeting")
    assert "jobcentrets chatbot" in greeting
    assert citizen.page.inner_text("#greeting .speaker") == "Chatbot"
    menu = citizen.page.locator("#greeting .choices button")
    assert menu.count() == 2
    assert menu.nth(0).inner_text().startswith("1")
    assert menu.nth(1).inner_text().startswith("2")
    assert_accessible(citizen.page, f"the chat on open ({citizen.screen})")
    citizen.shot("1-chat-greeting")

    menu.nth(0).click()  # "Book en tid"
    answer = citizen.page.locator("#log li.bot").first
    answer.wait_for()
    assert "Chatbot" in answer.locator(".speaker").inner_text()
    # Focus went to the answer, so a screen reader reads it and Tab goes on to its buttons.
    assert citizen.page.evaluate("document.activeElement.matches('#log li.bot')")
    citizen.say("i morgen")
    citizen.say("kl 10")
    assert citizen.newest_in_view()
    choices = citizen.page.locator("#log li:last-child .choices button")
    if choices.count():
        last = choices.nth(choices.count() - 1)
        composer_top = citizen.page.locator("#composer").bounding_box()["y"]
        box = last.bounding_box()
        assert box["y"] + box["height"] <= composer_top + 1
        assert last.inner_text().split()[0] == str(choices.count())
    assert_accessible(citizen.page, f"the chat during a booking ({citizen.screen})")
    citizen.shot("2-chat-booking-in-view")


def test_a_long_conversation_stays_in_view_and_the_transcript_scrolls_by_keyboard(
    citizen: Citizen,
) -> None:
    citizen.open_chat()
    for text in ("hvad er et fleksjob", "hvor mange feriedage har jeg", "hvad er et fleksjob"):
        citizen.say(text)
    assert citizen.newest_in_view()
    transcript = citizen.page.locator("#transcript")
    assert transcript.get_attribute("role") == "log"
    assert transcript.get_attribute("tabindex") == "0"
    assert transcript.get_attribute("aria-label")
    scrolled = citizen.page.evaluate("document.getElementById('transcript').scrollTop")
    transcript.focus()
    citizen.page.keyboard.press("Home")  # scrolls the focused transcript, maybe smoothly
    citizen.page.wait_for_timeout(1000)
    assert citizen.page.evaluate("document.getElementById('transcript').scrollTop") < scrolled
    assert_accessible(citizen.page, f"the chat with a long conversation ({citizen.screen})")


def test_phone_numbers_are_links_to_call(citizen: Citizen) -> None:
    citizen.open_chat()
    citizen.say("jeg vil ikke leve mere")
    calls = citizen.page.eval_on_selector_all(
        "#log li.bot a[href^='tel:']", "links => links.map(a => a.getAttribute('href'))"
    )
    assert calls
    assert all(href[4:].lstrip("+").isdigit() for href in calls)
    assert_accessible(citizen.page, f"the chat with help lines ({citizen.screen})")
    citizen.shot("3-chat-crisis-tel-links")


def test_a_reload_brings_the_conversation_back_from_the_server_both_ways(
    citizen: Citizen,
) -> None:
    citizen.open_chat()
    citizen.say("hvad er et fleksjob")
    said = citizen.page.inner_text("#log")
    # Nothing of it is kept in the browser but the key: the server gives it back.
    assert citizen.page.evaluate("sessionStorage.length") == 1
    citizen.page.reload()
    citizen.page.wait_for_selector("#log li.citizen >> text=hvad er et fleksjob")
    citizen.page.wait_for_selector("#log li.bot")
    assert citizen.page.inner_text("#log") == said


def test_a_message_sent_while_the_history_is_on_its_way_shows_once(citizen: Citizen) -> None:
    citizen.open_chat()
    citizen.say("hvad er et fleksjob")
    held: list[Any] = []
    citizen.page.route("**/api/chat/history", lambda route: held.append(route))
    citizen.page.reload()
    citizen.page.wait_for_selector("#greeting")
    for _ in range(500):  # a slow phone line: the page is up, its history not yet
        if held:
            break
        citizen.page.wait_for_timeout(20)
    assert held, "the page asked for no history after the reload"
    citizen.page.fill("#text", "tak")
    citizen.page.press("#text", "Enter")
    citizen.page.wait_for_timeout(300)
    held[0].continue_()
    citizen.page.wait_for_selector("#log li.citizen >> text=tak")
    citizen.page.wait_for_selector("#log li.bot >> nth=1")
    citizen.page.wait_for_timeout(300)
    said = citizen.page.locator("#log li.citizen .text").all_inner_texts()
    assert said == ["hvad er et fleksjob", "tak"]


def test_a_consultants_answer_arrives_live_marked_as_a_person_and_the_key_is_in_no_url(
    citizen: Citizen,
    browser: Any,
    live_server: str,
    services: Services,
    make_consultant: MakeConsultant,
) -> None:
    citizen.open_chat()
    citizen.say("jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
    make_consultant("anna")
    consultant = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    consultant.set_default_timeout(TIMEOUT_MS)
    consultant.goto(f"{live_server}/inbox/login")
    consultant.fill("input[name=username]", "anna")
    consultant.fill("input[name=password]", PASSWORD)
    consultant.click("button[type=submit]")
    consultant.goto(f"{live_server}/inbox/conversations/{conversation_id}")
    consultant.click("#claim")
    consultant.fill("#reply-text", "Hej, det er Anna. Ring gerne på 70 10 20 30.")
    consultant.click("#send-reply")

    reply = citizen.page.locator("#log li.consultant")
    reply.wait_for()
    assert reply.locator(".speaker").inner_text() == "Medarbejder i jobcentret"
    assert reply.locator("a[href='tel:70102030']").count() == 1
    # It came by the live stream, opened with a token: the key itself is in no URL.
    assert any("/api/chat/events?token=" in url for url in citizen.urls)
    key = citizen.key()
    assert not [url for url in citizen.urls if key in url]
    assert_accessible(citizen.page, f"the chat with a consultant's answer ({citizen.screen})")
    citizen.shot("4-chat-consultant-answer")
    consultant.context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_accessibility_statement_is_linked_from_the_chat_and_says_whom_to_contact(
    citizen: Citizen, services: Services, lang: str
) -> None:
    citizen.open_chat(lang)
    citizen.page.click("a[href^='/accessibility']")
    citizen.page.wait_for_selector("h1")
    text = citizen.page.inner_text("main")
    privacy = services.config.settings.privacy
    assert privacy.controller_email in text
    assert privacy.controller_phone in text
    assert citizen.page.locator("a[href*='digst.dk']").count() >= 1
    assert citizen.page.get_attribute("html", "lang") == lang
    assert_accessible(citizen.page, f"the accessibility statement ({lang}, {citizen.screen})")
    citizen.shot(f"5-accessibility-{lang}")
    citizen.page.goto(f"{citizen.base}/privacy?lang={lang}")
    assert_accessible(citizen.page, f"the privacy notice ({lang}, {citizen.screen})")
