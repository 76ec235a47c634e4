"""The notice pages: the full privacy notice at /privacy (every GDPR art. 13 item, with config's
names and figures) and the accessibility statement at /accessibility, both Danish first and
English on request, and plain Danish."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from bot.kernel.lix import lix
from bot.services import Services


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "\n", html))


def test_the_notice_names_controller_dpo_basis_retention_rights_and_datatilsynet(
    client: TestClient, services: Services
) -> None:
    page = client.get("/privacy")
    assert page.status_code == 200
    assert 'lang="da"' in page.text
    text = _text(page.text)
    privacy = services.config.settings.privacy
    for value in (privacy.controller, privacy.controller_email, privacy.dpo_email):
        assert value in text
    assert "artikel 6, stk. 1, litra c og e" in text
    assert "artikel 9" in text
    retention = privacy.retention
    assert f"efter {retention.messages} dage" in text
    assert f"Sygemeldinger sletter vi {retention.absence_notices} dage" in text
    assert f"Jobønsker sletter vi {retention.job_profiles} dage" in text
    assert f"i {retention.bookings} dage efter mødet" in text
    assert f"i {retention.inactive_citizens} dage, sletter vi alt" in text
    assert f"i {retention.audit_log} dage" in text
    for right in ("se de data", "rettet", "slette", "bruge dine data mindre", "sige nej til"):
        assert right in text
    assert "https://www.datatilsynet.dk" in text
    assert "chatbot" in text
    assert "Twilio" in text
    assert 'href="https://eur-lex.europa.eu/eli/reg/2016/679/oj"' in page.text


def test_the_notice_is_in_english_too_and_links_both_ways(client: TestClient) -> None:
    danish = client.get("/privacy").text
    assert 'href="/privacy?lang=en"' in danish
    english = client.get("/privacy?lang=en")
    assert 'lang="en"' in english.text
    assert "Datatilsynet" in english.text
    assert 'href="/privacy?lang=da"' in english.text
    assert client.get("/privacy?lang=xx").status_code == 200  # unknown language: Danish


@pytest.mark.parametrize("path", ["/privacy", "/accessibility"])
def test_the_danish_pages_are_plain(client: TestClient, path: str) -> None:
    for paragraph in re.findall(r"<p>(.*?)</p>", client.get(path).text, re.S):
        text = unescape(re.sub(r"<[^>]+>", "", paragraph)).strip()
        if len(text.split()) >= 5:
            assert lix(text) <= 35, text


def test_the_accessibility_statement_cites_the_act_and_links_both_ways(
    client: TestClient, services: Services
) -> None:
    danish = client.get("/accessibility")
    assert danish.status_code == 200
    assert 'lang="da"' in danish.text
    text = _text(danish.text)
    assert "tilgængelighedserklæring" in text
    assert "lov nr. 692 af 8. juni 2018" in text
    assert services.config.settings.privacy.controller_email in text
    assert 'href="/accessibility?lang=en" hreflang="en" lang="en"' in danish.text
    english = client.get("/accessibility?lang=en")
    assert 'lang="en"' in english.text
    assert 'href="/accessibility?lang=da" hreflang="da" lang="da"' in english.text


def test_the_chat_page_links_to_the_notice(client: TestClient) -> None:
    assert 'href="/privacy?lang=da"' in client.get("/chat").text
    assert 'href="/privacy?lang=en"' in client.get("/chat?lang=en").text
