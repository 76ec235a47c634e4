"""With ``locale.inbox_language: en`` a consultant reads every inbox page in English."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from bot.kernel.messages import Channel, InboundMessage
from bot.pipeline.port import Delivery
from bot.runtime.config import AppConfig, load_config
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    CannedReply,
    Conversation,
    JobProfile,
    Location,
    OpeningHours,
)
from tests.bot.inbox.conftest import InboxClient, MakeConsultant, inbox_env
from tests.chat import ChatTester
from tests.conftest import REFERENCE_TIME
from tests.scheduling_data import make_booking


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> AppConfig:
    return load_config(
        env={**inbox_env(database_url, tmp_path), "BORGERCHAT_LOCALE__INBOX_LANGUAGE": "en"}
    )


def danish_phrases() -> list[str]:
    """Every Danish inbox text that English says differently, cut at its placeholders."""
    from bot.inbox.text import inbox_content

    content = inbox_content()
    phrases = set()
    for key in content.keys("da"):
        danish = content.raw("da", key)
        if danish == content.raw("en", key):
            continue
        for part in re.split(r"\{[^}]*\}", danish):
            part = part.strip(" .:,()#·-–←→\n")
            if re.search(r"[^\W\d_]{2}", part):
                phrases.add(part)
    return sorted(phrases)


def danish_in(page: str) -> list[str]:
    return [
        phrase
        for phrase in danish_phrases()
        if re.search(rf"(?<!\w){re.escape(str(escape(phrase)))}(?!\w)", page)
    ]


@pytest.fixture
def english_inbox(
    services: Services, make_consultant: MakeConsultant, inbox: InboxClient
) -> dict[str, int]:
    """An admin, a citizen who wrote in English and waits in crisis, a booking, and so on."""
    boss = make_consultant("boss", role="admin")
    services.dispatcher.handle(
        InboundMessage(
            Channel.WEB,
            "websession-en",
            "Hello, I would like to talk to a person",
            channel_message_id="en-1",
            language_hint="en",
        ),
        delivery=Delivery.INLINE,
    )
    now = services.clock.now()
    with transaction(services.session_factory) as db:
        conversation = db.scalars(select(Conversation)).one()
        conversation.status, conversation.priority, conversation.waiting_since = "waiting", 100, now
        citizen = conversation.citizen
        citizen.team_id = boss.team_id
        location = Location(team_id=boss.team_id, name="North Office", kind="office")
        db.add(location)
        db.flush()
        db.add(OpeningHours(location_id=location.id, weekday=0, opens=time(10), closes=time(14)))
        booking = make_booking(
            db,
            citizen,
            REFERENCE_TIME + timedelta(days=1),
            consultant=db.get(type(boss), boss.id),
            location=location,
            now=now,
        )
        booking.reminder_policy = "48h+2h"
        booking.confirmed_at = now
        db.add(AbsenceNotice(citizen_id=citizen.id, starts_on=now.date(), reason="own_sickness"))
        db.add(JobProfile(citizen_id=citizen.id, kinds_of_work=["warehouse"], hours_per_week=10))
        db.add(CannedReply(team_id=boss.team_id, title="Hello", text="Hello, how can I help?"))
        ids = {"conversation": conversation.id, "citizen": citizen.id}
    assert inbox.login("boss").status_code == 303
    return ids


def test_the_login_page_is_in_english(inbox: InboxClient) -> None:
    page = inbox.get("/inbox/login").text
    assert '<html lang="en">' in page
    assert "Log in to the inbox" in page
    assert danish_in(page) == []


def test_every_page_is_in_english_with_no_danish_left(
    inbox: InboxClient, english_inbox: dict[str, int]
) -> None:
    conversation, citizen = english_inbox["conversation"], english_inbox["citizen"]
    pages = {
        "/inbox": [
            "<h1>Conversations</h1>",
            "Waiting for a person (1)",
            "CRISIS",
            "asked for a person",
            "Last messages:",
        ],
        f"/inbox/conversations/{conversation}": [
            "Conversation with citizen #",
            "Take the conversation",
            "Internal notes",
            "CRISIS: consider phoning the citizen",
            "Reason:</span> asked for a person",
            "· web chat",
        ],
        f"/inbox/citizens/{citizen}": [
            "Absence reports",
            "own illness",
            "Job wishes",
            "Hours per week:</span> 10</div>",  # not 10.0
            "Check-in: &#34;How are things going?&#34;",
            "booked",
            "channel: web chat",
            "<td>asked for a person</td>",
            'North Office <span class="muted">office</span>',
        ],
        "/inbox/slots": [
            "Opening hours, times and exceptions",
            "<td>Monday</td>",
            "Tuesday 24.11",
            "North Office (office)",
        ],
        "/inbox/bookings?day=2026-11-24": ["Bookings Tuesday 24.11.2026", "No-show</button>"],
        "/inbox/statistics": [
            "No-shows and cancellations",
            "2026-W48",
            "Confirmed (JA)",
            "No-show 2026-W48: 0.0 %",
        ],
        "/inbox/canned": ["The team&#39;s canned replies", "Save canned reply"],
        "/inbox/audit": ["Access log", "viewed the conversation", "viewed the citizen&#39;s page"],
        "/inbox/content": ["The chatbot&#39;s answers and their sources", "Review by"],
    }
    for path, english in pages.items():
        response = inbox.get(path)
        assert response.status_code == 200, path
        page = response.text
        assert '<html lang="en">' in page, path
        assert "Log out" in page, path
        for text in english:
            assert text in page, (path, text)
        if path == "/inbox/content":
            # The sources are Danish laws and pages, named as they are.
            page = re.sub(r"<a href=\"https://[^>]*>[^<]*</a>", "", page)
            # An answer's key and text are the chatbot's content (benefits keep their Danish
            # names, "ledighedsydelse"), not the inbox's words.
            page = re.sub(r"<td><code>.*?</td>", "", page, flags=re.S)
        assert danish_in(page) == [], path


def test_errors_and_notices_are_in_english(
    inbox: InboxClient, english_inbox: dict[str, int]
) -> None:
    missing = inbox.get("/inbox/conversations/999999")
    assert missing.status_code == 404
    assert "That cannot be done" in missing.text
    assert "The conversation does not exist or belongs to another team." in missing.text
    assert danish_in(missing.text) == []

    conversation = f"/inbox/conversations/{english_inbox['conversation']}"
    claimed = inbox.get(inbox.post(f"{conversation}/claim").headers["location"]).text
    assert "You have taken the conversation. The citizen is waiting for your reply." in claimed
    again = inbox.get(inbox.post(f"{conversation}/claim").headers["location"]).text
    assert "A colleague has already taken this conversation" in again
    slots = inbox.get(inbox.post("/inbox/slots", day="2026-11-30").headers["location"]).text
    assert "Fill in consultant, place, date, time and length." in slots
    assert danish_in(claimed + again + slots) == []


def test_the_danish_phrase_list_would_catch_a_danish_page() -> None:
    assert "Tag samtalen" in danish_phrases()
    assert danish_in("<button>Tag samtalen</button> <p>Samtale med Anna</p>") == [
        "Samtale",
        "Samtale med",
        "Tag samtalen",
    ]
    assert danish_in("<p>Borgerne</p> <p>Bookings</p>") == []  # whole words only


# Words English and Danish share; any other English text equal to the Danish is untranslated
# (and the page checks above could not see it).
SAME_IN_BOTH = {
    "audit_object.booking",  # booking
    "channel.sms",  # SMS
    "satisfaction.team",  # Team
    "channel.telegram",  # Telegram
    "citizen.note",  # Note
    "common.admin_marker",  # (admin)
    "common.product",  # borgerchat
    "common.status",  # Status
    "conversation.status",  # Status:
    "nav.audit",  # Log
    "slots.seed_command",  # a command
    "status.bot",  # chatbot
    "transcript.bot",  # Chatbot
    "transcript.system",  # System
}


def test_every_english_text_is_translated() -> None:
    from bot.inbox.text import inbox_content

    content = inbox_content()
    untranslated = {
        key for key in content.keys("da") if content.raw("da", key) == content.raw("en", key)
    }
    assert untranslated == SAME_IN_BOTH


def test_a_danish_citizens_job_wishes_read_in_english(
    services: Services, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    """The chatbot stores job wishes in its own codes and the citizen's weekday names; an
    English inbox shows them in English."""
    citizen = ChatTester(services, address="websession-jobwishes")
    citizen.say("jeg vil gerne arbejde på et kontor")
    citizen.say("10 timer")
    citizen.say("mandag og onsdag")
    citizen.say("tunge løft")
    citizen.say("jeg vil tale med et menneske")
    boss = make_consultant("boss", role="admin")
    with transaction(services.session_factory) as db:
        conversation = db.scalars(select(Conversation)).one()
        conversation.citizen.team_id = boss.team_id
        ids = (conversation.id, conversation.citizen_id)
    inbox.login("boss")

    page = inbox.get(f"/inbox/conversations/{ids[0]}").text
    # The transcript and the last messages are the citizen's own Danish: look at the rest.
    summary = page[page.index("Chatbot&#39;s summary") : page.index("Last messages:")]
    assert "Job wishes:</span>" in summary
    assert "Kinds of work:</span> office" in summary
    assert "Hours per week:</span> 10" in summary
    assert "Days:</span> Monday, Wednesday" in summary
    assert "Cannot do:</span> tunge løft" in summary  # the citizen's own words stay theirs
    assert "Topic (the chatbot&#39;s guess):</span> wants to talk to a person" in summary
    assert "Language:</span> Danish" in page
    citizen_page = inbox.get(f"/inbox/citizens/{ids[1]}").text
    job_wishes = citizen_page[citizen_page.index("<h2>Job wishes") : citizen_page.index("Updated")]
    assert "Language: Danish" in citizen_page
    assert "Kinds of work:</span> office" in job_wishes
    assert "Days:</span> Monday, Wednesday" in job_wishes
    for words in (summary, job_wishes):
        assert danish_in(words.replace("tunge løft", "")) == []
        for code in ("kontor", "mandag", "jobonsker", "human_handoff", "{&#39;", "[&#39;"):
            assert code not in words, code
