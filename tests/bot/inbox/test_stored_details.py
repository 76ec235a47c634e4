"""What the chatbot and the inbox store as data (the summary's details, the last messages, an
audit entry's detail, a citizen's language and job wishes) reaches a consultant as lines of
words, never as a Python or JSON repr; what has no words yet is shown as it is."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.inbox import audit
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.auth import Viewer
from bot.inbox.details import HANDOFF_SUMMARY, DetailLine, detail_lines, number_text
from bot.inbox.text import InboxText
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    Booking,
    Citizen,
    Conversation,
    JobProfile,
    Location,
    Slot,
)
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester

# What a dict, a list or a Python value looks like when a page prints it raw (autoescaped).
REPR = re.compile(r"\{&#39;|\[&#39;|&#39;\]|\{\}|\[\]|\b(None|True|False)\b|\[\d")


# A labelled line one and two levels in (under "Oplysninger:", under "Fraværsmelding:").
DEPTH_1 = '<div class="detail depth-1"><span class="muted">'
DEPTH_2 = '<div class="detail depth-2"><span class="muted">'


def reprs_in(page: str) -> list[str]:
    return [match.group(0) for match in REPR.finditer(page)]


def _latest_conversation(services: Services) -> Conversation:
    with transaction(services.session_factory) as db:
        conversation = db.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
    assert conversation is not None
    return conversation


def test_the_bots_summary_reads_as_words_with_its_details_below_it(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="websession-summary")
    citizen.say("jeg er syg i dag")
    citizen.say("ja")  # the bot read the notice back; recorded on the citizen's yes
    citizen.say("hvad sker der med min førtidspension hvis jeg tjener penge")
    citizen.say("jeg vil tale med et menneske")
    conversation = _latest_conversation(services)
    make_consultant("anna")
    inbox.login("anna")

    queue = inbox.get("/inbox").text
    for page in (queue, inbox.get(f"/inbox/conversations/{conversation.id}").text):
        assert "Grund:</span> bad om en medarbejder" in page
        assert "Emne (chatbottens gæt):</span> vil tale med en medarbejder" in page
        assert "Oplysninger:</span>" in page
        assert f"{DEPTH_1}Emne:</span> løn og ydelser" in page
        assert f"{DEPTH_1}Ydelse:</span> førtidspension" in page
        # The absence report the citizen gave, one level further in.
        assert f"{DEPTH_1}Fraværsmelding:</span>" in page
        assert f"{DEPTH_2}Grund:</span> egen sygdom" in page
        assert f"{DEPTH_2}Fra:</span> 23.11.2026" in page
        assert "Chatbottens ubesvarede spørgsmål:</span> Fik du din førtidspension" in page
        # Each of the last messages on a line of its own.
        assert "Seneste beskeder:</span>" in page
        assert '<div class="detail depth-1">jeg er syg i dag</div>' in page
        assert '<div class="detail depth-1">jeg vil tale med et menneske</div>' in page
        assert "Sprog:</span> dansk" in page
        # A form's option values are codes the consultant never sees (the queue's topic filter).
        shown = re.sub(r' value="[^"]*"', "", page)
        for code in ("human_handoff", "loen_vs_pension", "own_sickness", "2026-11-23"):
            assert code not in shown, code
        assert "</span> pension<" not in page
        assert reprs_in(page) == []


def test_a_citizens_language_and_what_they_were_absent_from_read_as_words(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="websession-course")
    citizen.say("jeg er syg i dag og kan ikke komme på kursus")
    citizen.say("ja")
    anna = make_consultant("anna")
    with transaction(services.session_factory) as db:
        row = db.scalars(select(Citizen)).one()
        row.team_id = anna.team_id
        assert db.scalars(select(AbsenceNotice.activity)).one() == "course"
        db.add(JobProfile(citizen_id=row.id, kinds_of_work=["omsorg"], days=["tirsdag"]))
        citizen_id = row.id
    inbox.login("anna")

    page = inbox.get(f"/inbox/citizens/{citizen_id}").text
    assert "Sprog: dansk" in page
    assert "<td>kursus</td>" in page
    assert "Slags arbejde:</span> omsorg og pleje" in page
    assert "Dage:</span> tirsdag" in page
    assert "Sprog: da " not in page
    assert "<td>course</td>" not in page


def test_the_access_log_says_what_each_change_did_in_words(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    boss = make_consultant("boss", role="admin")
    ChatTester(services, address="websession-booked").say("hej")
    with transaction(services.session_factory) as db:
        citizen = db.scalars(select(Citizen)).one()
        citizen.team_id = boss.team_id
        location = Location(team_id=boss.team_id, name="Jobcentret")
        db.add(location)
        db.flush()
        location_id, citizen_id = location.id, citizen.id
    inbox.login("boss")

    # Two Tuesdays at 09:00, then the first one is booked.
    created = inbox.post(
        "/inbox/slots",
        consultant_id=str(boss.id),
        location_id=str(location_id),
        day="2026-11-24",
        starts="09:00",
        minutes="45",
        weeks="2",
    )
    assert created.status_code == 303
    with transaction(services.session_factory) as db:
        first = db.scalars(select(Slot).order_by(Slot.starts_at)).first()
        assert first is not None
        booking = Booking(
            citizen_id=citizen_id,
            slot_id=first.id,
            consultant_id=boss.id,
            location_id=location_id,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
        )
        db.add(booking)
        db.flush()
        booked = booking.id
    # A day off moves the meeting to the next free time; the moved meeting is then marked.
    inbox.post("/inbox/exceptions", first_day="2026-11-24", reason="Kursus", move="on")
    with transaction(services.session_factory) as db:
        moved_to = db.scalars(select(Booking.id).where(Booking.id != booked)).one()
    inbox.post(f"/inbox/bookings/{moved_to}/mark", status="attended", day="2026-12-01")

    log = inbox.get("/inbox/audit").text
    assert "Tider oprettet:</span> 2" in log
    assert "Sprunget over (konsulenten havde allerede en tid):</span> 0" in log
    assert "Aflyste bookinger:</span> ingen" in log
    assert f"Flyttede bookinger:</span> {booked} til {moved_to}" in log
    assert "Ny status:</span> mødt" in log
    for code in ("attended", "created", "skipped", "moved", "cancelled"):
        assert code not in log, code
    assert reprs_in(log) == []


def test_stored_values_nobody_has_words_for_yet_show_as_they_are_and_break_nothing(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    boss = make_consultant("boss", role="admin")
    ChatTester(services, address="websession-future").say("jeg vil tale med et menneske")
    conversation = _latest_conversation(services)
    with transaction(services.session_factory) as db:
        row = db.get(Conversation, conversation.id)
        assert row is not None
        row.handoff_summary = {
            "reason": "a_reason_from_next_year",
            "intent": "an_intent_from_next_year",
            "language": "fr",
            "details": {
                "a_new_fact": True,
                "no_answer": None,
                "none_yet": [],
                "hours": 12.5,
                "deeper": {"and_deeper": {"and_deeper_still": {"bottom": ["x", {"y": 1}]}}},
            },
            "a_new_part": ["first", {"nested": "second"}],
        }
        citizen = row.citizen
        citizen.language = "fr"
        citizen.team_id = boss.team_id
        db.add(
            JobProfile(
                citizen_id=citizen.id,
                kinds_of_work=["astronaut"],
                days=["hver anden fredag"],
                details={"driving_licence": True},
            )
        )
        viewer = Viewer(boss.id, boss.team_id, "boss", "Boss", "admin", "")
        audit.AuditTrail(db, viewer).record(
            AuditAction.CLOSE,
            AuditObject.CONVERSATION,
            row.id,
            services.clock.now() - timedelta(minutes=1),
            a_new_detail={"x": [1, 2]},
            status="a_status_from_next_year",
        )
        citizen_id = citizen.id
    inbox.login("boss")

    pages = {
        path: inbox.get(path)
        for path in (
            "/inbox",
            f"/inbox/conversations/{conversation.id}",
            f"/inbox/citizens/{citizen_id}",
            "/inbox/audit",
        )
    }
    for path, response in pages.items():
        assert response.status_code == 200, path
        assert reprs_in(response.text) == [], path
    summary = pages[f"/inbox/conversations/{conversation.id}"].text
    assert "Grund:</span> a_reason_from_next_year" in summary
    assert "Emne (chatbottens gæt):</span> an_intent_from_next_year" in summary
    assert "Sprog:</span> fr" in summary
    assert "a_new_fact:</span> ja" in summary
    assert "no_answer:</span> ikke oplyst" in summary
    assert "none_yet:</span> ingen" in summary
    assert "hours:</span> 12,5" in summary  # a Danish decimal comma
    assert "bottom: x, y: 1" in summary  # deeper than the lines go: one line, still no repr
    assert '<div class="detail depth-1">first</div>' in summary
    assert '<div class="detail depth-1"><span class="muted">nested:</span> second</div>' in summary
    citizen_page = pages[f"/inbox/citizens/{citizen_id}"].text
    assert "Sprog: fr" in citizen_page
    assert "Slags arbejde:</span> astronaut" in citizen_page
    assert "Dage:</span> hver anden fredag" in citizen_page
    assert "driving_licence:</span> ja" in citizen_page
    log = pages["/inbox/audit"].text
    assert "Ny status:</span> a_status_from_next_year" in log
    assert '<span class="muted">a_new_detail:</span> </div>' in log
    assert "x:</span> 1, 2" in log


def test_the_lines_of_a_summary_in_english() -> None:
    lines = detail_lines(
        {"reason": "crisis", "details": {"job_profile": {"kinds": ["lager"], "days": ["fredag"]}}},
        HANDOFF_SUMMARY,
        InboxText("en"),
    )
    assert lines == [
        DetailLine("Reason", "crisis", 0),
        DetailLine("Details", "", 0),
        DetailLine("Job wishes", "", 1),
        DetailLine("Kinds of work", "warehouse", 2),
        DetailLine("Days", "Friday", 2),
    ]
    assert detail_lines(None, HANDOFF_SUMMARY, InboxText("en")) == []


def test_a_stored_number_reads_as_people_write_it() -> None:
    assert number_text(10.0, "en") == "10"
    assert number_text(7.5, "da") == "7,5"
    assert number_text(7.5, "en") == "7.5"
