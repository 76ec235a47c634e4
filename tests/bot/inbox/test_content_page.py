"""The content page: admins see every answer the chatbot states, its sources as links and its
dates, expired ones first; other consultants are refused."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

from bot.inbox.content_review import ReviewStatus, answers_by_review
from bot.kernel.clock import FixedClock
from bot.services import Services
from flows.content import Content
from tests.bot.inbox.conftest import InboxClient, MakeConsultant


def answer(review_by: str) -> dict[str, object]:
    return {
        "text": "Et svar.",
        "sms": "Et svar. Kilde: borger.dk",
        "sources": [{"title": "borger.dk", "url": "https://www.borger.dk/"}],
        "verified": "2026-01-01",
        "verified_by": "content editor",
        "review_by": review_by,
    }


def test_expired_answers_come_first_then_those_due_soonest() -> None:
    entries = {
        "current": answer("2027-12-01"),
        "due_later": answer("2027-01-20"),
        "expired": answer("2026-11-30"),
        "due_soon": answer("2026-12-10"),
        "expired_long_ago": answer("2026-06-01"),
    }
    content = Content({"da": {f"t.{key}": value for key, value in entries.items()}})
    reviews = answers_by_review(content, "da", date(2026, 12, 2))
    assert [(r.answer.key, r.status) for r in reviews] == [
        ("t.expired_long_ago", ReviewStatus.EXPIRED),
        ("t.expired", ReviewStatus.EXPIRED),
        ("t.due_soon", ReviewStatus.DUE),
        ("t.due_later", ReviewStatus.DUE),
        ("t.current", ReviewStatus.CURRENT),
    ]


def test_an_admin_sees_every_answer_with_its_sources_as_links_and_dates(
    services: Services, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    make_consultant("boss", role="admin")
    inbox.login("boss")
    response = inbox.get("/inbox/content")
    assert response.status_code == 200
    page = unescape(response.text)
    assert 'href="/inbox/content"' in page  # in the menu
    for shown in services.content.answers("da"):
        assert f"<code>{shown.key}</code>" in page
        for source in shown.sources:
            assert f'<a href="{source.url}"' in page
            assert source.title in page
        assert shown.review_by.strftime("%d.%m.%Y") in page
        assert shown.verified.strftime("%d.%m.%Y") in page
        assert shown.verified_by in page


def test_past_their_review_by_date_answers_are_marked_expired_and_listed_first(
    services: Services, clock: FixedClock, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    answers = services.content.answers("da")
    first_due = min(a.review_by for a in answers)
    clock.set(datetime.combine(first_due + timedelta(days=1), time(10), tzinfo=UTC))
    expired = {a.key for a in answers if a.review_by == first_due}
    make_consultant("boss", role="admin")
    inbox.login("boss")
    page = unescape(inbox.get("/inbox/content").text)
    rows = re.findall(r'<tr class="review-(\w+)">.*?<code>([^<]+)</code>', page, re.S)
    assert {key for status, key in rows[: len(expired)]} == expired
    assert all(status == "expired" for status, _ in rows[: len(expired)])
    assert "Udløbet, vises ikke" in page


def test_a_consultant_who_is_not_an_admin_is_refused(
    make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    make_consultant("anna")
    inbox.login("anna")
    response = inbox.get("/inbox/content")
    assert response.status_code == 403
    assert 'href="/inbox/content"' not in inbox.get("/inbox").text


def test_without_a_login_the_page_sends_to_the_login(inbox: InboxClient) -> None:
    response = inbox.get("/inbox/content")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox/login"
