"""A consultant reads who writes for whom, and each concern of a long letter, as words."""

from __future__ import annotations

from sqlalchemy import select

from bot.inbox.details import HANDOFF_SUMMARY, detail_lines
from bot.inbox.text import InboxText
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester


def lines(summary: dict[str, object], language: str = "da") -> list[tuple[str, str]]:
    text = InboxText(language)
    return [(line.label, line.value) for line in detail_lines(summary, HANDOFF_SUMMARY, text)]


def test_several_concerns_are_listed_in_words() -> None:
    summary = {
        "reason": "several_concerns",
        "details": {"concerns": ["fravaer", "feriedage", "reschedule_meeting"]},
    }
    assert lines(summary) == [
        ("Grund", "skriver om flere ting"),
        ("Oplysninger", ""),
        ("Det borgeren skriver om", "fravær, ferie, vil flytte en tid"),
    ]
    assert lines(summary, "en")[2] == (
        "What the citizen writes about",
        "absence, holidays, wants to move a time",
    )


def test_a_writer_for_someone_reads_as_who_writes_for_whom_about_what(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    writer = ChatTester(services, address="websession-bostotte")
    writer.say("Jeg er bostøtte for Mikkel. Han er syg i dag og kan ikke komme.")
    writer.say("Mikkel")
    with transaction(services.session_factory) as db:
        conversation = db.scalars(select(Conversation)).one()
        assert conversation.handoff_reason == "on_behalf"
    make_consultant("anna")
    inbox.login("anna")
    page = inbox.get(f"/inbox/conversations/{conversation.id}").text
    assert "Grund:</span> skriver for en anden" in page
    assert "Den, der skriver:</span> bostøtte eller støtteperson" in page
    assert "Skriver for:</span> Mikkel" in page
    assert "Ærinde:</span> fravær" in page
    assert "support_worker" not in page
