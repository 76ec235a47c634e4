"""The reply box counts SMS parts as the consultant types, in Chromium, and will not send past
the limit."""

from __future__ import annotations

from typing import Any

import pytest

from bot.kernel.messages import Channel
from bot.services import Services
from tests.bot.inbox.conftest import PASSWORD, MakeConsultant
from tests.bot.inbox.test_browser import (  # noqa: F401 (fixtures)
    TIMEOUT_MS,
    _login,
    browser,
    live_server,
)
from tests.bot.inbox.test_queue import _conversation
from tests.chat import ChatTester

pytestmark = pytest.mark.browser
PHONE = "+4520304050"


def test_the_reply_box_counts_sms_parts_and_stops_at_the_limit(
    browser: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    services: Services,
    make_consultant: MakeConsultant,
) -> None:
    ChatTester(services, Channel.SMS, PHONE).say("jeg vil tale med et menneske")
    conversation = _conversation(services, PHONE)
    make_consultant("anna")
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server}/inbox/conversations/{conversation.id}")
    page.click("#claim")
    page.wait_for_selector("#reply-text")

    page.fill("#reply-text", "Hej, vi ringer dig op i morgen 🙂")
    counter = page.locator("#sms-counter")
    assert "Sms: 1 af højst 2 dele" in counter.inner_text()
    assert "emoji" in counter.inner_text()
    page.fill("#reply-text", "x" * 200)
    assert "Sms: 2 af højst 2 dele, 200 tegn" in counter.inner_text()
    assert page.locator("#send-reply").is_enabled()

    page.fill("#reply-text", "x" * 400)

    assert "for langt til en SMS: 3 dele, højst 2" in counter.inner_text()
    assert page.locator("#send-reply").is_disabled()
