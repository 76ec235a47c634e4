"""The inbox's work pages in a real browser (Debian's Chromium through Playwright), each page
checked with axe-core: finding and sharing the work, knowing the citizen, closing that closes,
and the tidied pages. Skips without Chromium outside CI, as tests/bot/inbox/test_browser.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli.demo import seed_demo_with_history
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AbsenceNotice, Conversation, SatisfactionAnswer
from tests.axe import assert_accessible
from tests.bot.inbox.conftest import PASSWORD, MakeConsultant
from tests.bot.inbox.test_browser import TIMEOUT_MS, browser, live_server  # noqa: F401
from tests.chat import ChatTester

pytestmark = pytest.mark.browser


def _page(browser: Any, **context: Any) -> Any:  # noqa: F811
    page = browser.new_context(**context).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/inbox/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def _conversation_id(services: Services) -> int:
    with transaction(services.session_factory) as db:
        found = db.scalars(select(Conversation.id).order_by(Conversation.id.desc())).first()
    assert found is not None
    return found


def test_search_filters_a_colleague_and_ctrl_enter(
    browser: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    services: Services,
    make_consultant: MakeConsultant,
) -> None:
    make_consultant("anna")
    make_consultant("karim")
    ChatTester(services, address="web-b-1").say("jeg vil tale med et menneske om min praktik")
    ChatTester(services, address="web-b-2").say("jeg tænker på selvmord")
    page = _page(browser)
    _login(page, live_server, "anna")

    page.check("#queue-filter input[name=crisis]")
    page.click("#queue-filter button[type=submit]")
    page.wait_for_url(lambda url: "crisis=1" in url)
    assert page.locator("#waiting tbody tr").count() == 1
    assert_accessible(page, "the queue, filtered on crisis")

    page.click("text=Vis alle")
    page.wait_for_selector("text=Venter på en medarbejder (2)")
    assert page.locator("text=Almindelig").count() == 1  # no "Prioritet 0"
    page.click("header >> text=Søg")
    page.fill("#search-q", "praktik")
    page.press("#search-q", "Enter")
    page.wait_for_selector("#search-results")
    assert_accessible(page, "search results")

    page.goto(f"{live_server}/inbox")
    page.locator("#waiting a.button").nth(1).click()  # the praktik chat, after the crisis
    page.click("#claim")
    page.wait_for_selector("text=Du har taget samtalen")
    page.fill("#reply-text", "Hej, hvad kan jeg hjælpe med?")
    page.press("#reply-text", "Control+Enter")
    page.wait_for_selector("text=Svaret er sendt.")
    assert_accessible(page, "a held conversation")
    page.select_option("#assign select", label="Karim")
    page.click("#assign button")
    page.wait_for_selector("text=Samtalen er givet til Karim.")

    karim = _page(browser)
    _login(karim, live_server, "karim")
    karim.click("header >> text=Mine")
    karim.wait_for_selector("#mine >> text=min praktik")
    assert_accessible(karim, "Mine, with a chat given by a colleague")


def test_the_citizen_page_records_contact_books_and_annuls(
    browser: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    services: Services,
    make_consultant: MakeConsultant,
) -> None:
    make_consultant("anna", team="Jobcenter Demo")
    with transaction(services.session_factory) as db:
        seed_demo_with_history(db, services.clock.now(), services.config.settings.tz, 2)
    ChatTester(services, address="web-b-3").say("jeg vil tale med et menneske")
    conversation_id = _conversation_id(services)
    page = _page(browser, viewport={"width": 390, "height": 844}, has_touch=True)
    _login(page, live_server, "anna")
    page.goto(f"{live_server}/inbox/conversations/{conversation_id}")
    page.click("#claim")
    page.click("text=Borgerens side")
    page.wait_for_selector("#contact")
    with transaction(services.session_factory) as db:
        citizen_id = db.get(Conversation, conversation_id).citizen_id  # type: ignore[union-attr]
        db.add(
            AbsenceNotice(
                citizen_id=citizen_id,
                starts_on=services.clock.now().date() - timedelta(days=1),
                reason="own_sickness",
                reported_at=services.clock.now(),
            )
        )
    page.reload()

    page.fill("#contact input[name=name]", "Mikkel Hansen")
    page.fill("#contact input[name=phone]", "20 30 40 50")
    page.click("#contact button[type=submit]")
    page.wait_for_selector("text=Sæt kryds ved samtykket først")  # nothing kept without it
    page.fill("#contact input[name=name]", "Mikkel Hansen")
    page.fill("#contact input[name=phone]", "20 30 40 50")
    page.check("#consent")
    page.click("#contact button[type=submit]")
    page.wait_for_selector("h1 >> text=Mikkel Hansen")
    assert page.get_attribute("a[href^='tel:']", "href") == "tel:+4520304050"

    page.click("#book button[type=submit]")
    page.wait_for_selector("text=Mødet er booket.")
    page.click("summary >> text=Annullér eller ret")
    annul = page.locator("form[action$='/annul']")
    annul.locator("input[name=reason]").fill("Meldt på den forkerte borger")
    annul.locator("button").click()
    page.wait_for_selector("text=Fraværsmeldingen er annulleret.")
    assert_accessible(page, "the citizen page on a phone")


def test_closing_confirms_tells_the_citizen_and_asks_once_if_they_got_help(
    browser: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    services: Services,
    make_consultant: MakeConsultant,
) -> None:
    make_consultant("anna")
    citizen = _page(browser, viewport={"width": 390, "height": 844})
    citizen.goto(f"{live_server}/chat")
    citizen.fill("#text", "Jeg vil gerne tale med et menneske")
    citizen.press("#text", "Enter")
    citizen.wait_for_selector("#log li.bot")
    consultant = _page(browser)
    _login(consultant, live_server, "anna")
    consultant.click("text=Se samtalen")
    consultant.click("#claim")
    consultant.fill("#reply-text", "Nu er det ordnet.")
    consultant.click("#send-reply")
    consultant.wait_for_selector("text=Svaret er sendt.")
    consultant.click("#close")
    consultant.wait_for_selector("text=Vil du afslutte samtalen")
    assert_accessible(consultant, "the confirm step before closing")
    consultant.click("#confirm-close")
    consultant.wait_for_selector("text=Samtalen er afsluttet")

    citizen.wait_for_selector("#log >> text=Vi har lukket samtalen")
    citizen.wait_for_selector("#log button:has-text('Ja, delvist')")
    citizen.click("#log button:has-text('Ja, delvist')")
    citizen.wait_for_selector("#log >> text=Tak for dit svar")
    with transaction(services.session_factory) as db:
        assert db.scalars(select(SatisfactionAnswer.answer)).all() == ["partly"]
    consultant.click("header >> text=Statistik")
    consultant.wait_for_selector("#satisfaction-weeks >> text=Jobcenter Nord")
    assert_accessible(consultant, "Statistik with the satisfaction answers")


def test_tider_is_a_week_view_and_the_demo_statistics_show_a_chart(
    browser: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    services: Services,
    make_consultant: MakeConsultant,
) -> None:
    make_consultant("anna", team="Jobcenter Demo")
    with transaction(services.session_factory) as db:
        seed_demo_with_history(db, services.clock.now(), services.config.settings.tz, 3)
    page = _page(browser, viewport={"width": 390, "height": 844})
    _login(page, live_server, "anna")
    page.goto(f"{live_server}/inbox/slots")
    page.wait_for_selector("#week")
    days = page.locator("details.day")
    assert 1 <= days.count() <= 7
    closed = page.locator("details.day:not([open])")
    if closed.count():
        closed.first.locator("summary").click()
    page.click("text=Ugen efter")
    page.wait_for_url(lambda url: "week=1" in url)
    assert page.locator("details.day").count() >= 3
    height = page.evaluate("document.body.scrollHeight")
    print(f"Tider at 390x844, next week: {height} px tall")
    assert_accessible(page, "Tider, a week at 390 px")

    page.goto(f"{live_server}/inbox/statistics")
    assert page.locator("svg").count() >= 1
    rows = page.locator("#weeks tbody tr")
    totals = [int(rows.nth(i).locator("td").nth(1).inner_text()) for i in range(rows.count())]
    assert sum(totals) > 0  # past bookings with outcomes
    assert page.locator("#weeks td.confirmed").all_inner_texts() != ["0"] * rows.count()
    assert_accessible(page, "Statistik after the demo seed")

    ChatTester(services, address="web-b-4").say("jeg vil tale med et menneske")
    page.goto(f"{live_server}/inbox")
    # The first live refresh replaces the list once: measure the button it leaves, not the old one.
    page.wait_for_selector("#queue[data-last]")
    button = page.locator("#waiting a.button").first
    box = button.bounding_box()
    assert box is not None
    print(f"'Se samtalen' at 390 px: {box['width']:.0f}x{box['height']:.0f} px")
    assert box["height"] < 60  # one line: no wrap
