"""No-show statistics and reminder confirmations with their SVG chart, the citizen page, and
the audit log."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.inbox.auth import Viewer
from bot.inbox.statistics import booking_statistics
from bot.inbox.text import InboxText
from bot.kernel.clock import FixedClock
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
    Team,
)
from tests.bot.domain.reminders.test_answers_in_chat import (
    ReminderAwareEngine,
    WordsOnlyRecognizer,
    booked_and_reminded,
)
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _bookings(
    services: Services, team: int, consultant: int, plan: list[tuple[int, str, str]]
) -> None:
    """``plan``: (days after Monday 23 Nov, status, reminder policy) per booking."""
    with transaction(services.session_factory) as db:
        location = Location(team_id=team, name="Nord")
        db.add(location)
        db.flush()
        for n, (days, status, policy) in enumerate(plan):
            starts = MONDAY + timedelta(days=days, minutes=n)
            slot = Slot(
                consultant_id=consultant,
                location_id=location.id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=30),
            )
            db.add(slot)
            db.flush()
            db.add(
                Booking(
                    slot_id=slot.id,
                    consultant_id=consultant,
                    location_id=location.id,
                    starts_at=starts,
                    ends_at=slot.ends_at,
                    status=status,
                    reminder_policy=policy,
                )
            )


def test_rates_per_iso_week_and_per_reminder_policy(
    services: Services, make_consultant: MakeConsultant
) -> None:
    anna = make_consultant("anna")
    _bookings(
        services,
        anna.team_id,
        anna.id,
        [
            (-7, "attended", "48h+2h"),
            (-7, "no_show", "none"),
            (-6, "attended", "none"),
            (-5, "cancelled", "48h+2h"),
            (0, "attended", "48h+2h"),
            (1, "no_show", "48h+2h"),
            (2, "booked", "48h+2h"),
            (3, "attended", "48h+2h"),
        ],
    )
    viewer = Viewer(anna.id, anna.team_id, "anna", "Anna", "consultant", "")
    with transaction(services.session_factory) as db:
        stats = booking_statistics(
            db, viewer, services.clock.now(), services.config.settings.tz, InboxText("da")
        )
    weeks = {r.label: r for r in stats.by_week}
    assert len(stats.by_week) == 8
    assert (weeks["2026-U47"].total, weeks["2026-U47"].no_show, weeks["2026-U47"].cancelled) == (
        4,
        1,
        1,
    )
    assert weeks["2026-U48"].no_show_rate == 0.25
    policies = {r.label: r for r in stats.by_policy}
    assert policies["none"].no_show_rate == 0.5
    assert policies["48h+2h"].cancellation_rate == 1 / 6


def test_the_statistics_page_draws_an_svg_with_no_outside_resources(
    services: Services, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    anna = make_consultant("anna")
    _bookings(
        services, anna.team_id, anna.id, [(0, "no_show", "48h+2h"), (1, "attended", "48h+2h")]
    )
    inbox.login("anna")
    page = inbox.get("/inbox/statistics").text
    assert page.count("<svg") == 2
    assert "Udeblevet 2026-U48: 50.0 %" in page
    external = list(re.findall(r'(?:src|href)="(https?://[^"]+)"', page))
    assert external == []


def test_the_citizen_page_shows_absence_job_wishes_bookings_and_is_audited(
    services: Services, make_consultant: MakeConsultant, inbox_factory: object
) -> None:
    anna = make_consultant("anna")
    make_consultant("boss", role="admin")
    ChatTester(services, address="websession-cit").say("menneske")
    with transaction(services.session_factory) as db:
        citizen = db.scalars(select(Citizen)).one()
        citizen.team_id = anna.team_id
        conversation = db.scalars(select(Conversation)).one()
        db.add(
            AbsenceNotice(
                citizen_id=citizen.id,
                starts_on=date(2026, 11, 23),
                reason="child_sick",
                activity="praktik",
                note="Barnet har feber",
            )
        )
        db.add(
            JobProfile(citizen_id=citizen.id, kinds_of_work=["lager", "køkken"], hours_per_week=12)
        )
        citizen_id, conversation_id = citizen.id, conversation.id
    anna_client, boss = inbox_factory(), inbox_factory()  # type: ignore[operator]
    anna_client.login("anna")
    page = anna_client.get(f"/inbox/citizens/{citizen_id}").text
    assert "Barnet har feber" in page
    assert "lager, køkken" in page
    anna_client.get(f"/inbox/conversations/{conversation_id}")

    assert anna_client.get("/inbox/audit").status_code == 403
    boss.login("boss")
    log = boss.get(f"/inbox/audit?citizen={citizen_id}").text
    assert log.count("<td>anna</td>") == 2
    assert "så borgerens side" in log
    assert "så samtalen" in log


def test_a_ja_to_a_reminder_counts_as_confirmed_in_its_week_and_policy(
    services: Services, clock: FixedClock, make_consultant: MakeConsultant, inbox: InboxClient
) -> None:
    services.dispatcher.flows = ReminderAwareEngine(services.content)
    services.dispatcher.recognizer = WordsOnlyRecognizer()
    citizen = ChatTester(services)
    booking_id = booked_and_reminded(services, citizen, clock)
    with transaction(services.session_factory) as db:
        booking = db.get(Booking, booking_id)
        assert booking is not None
        team = booking.location.team_id
        team_name = db.get(Team, team).name  # type: ignore[union-attr]

    tz = services.config.settings.tz

    def confirmed() -> tuple[int, int, int]:
        """This week's confirmed count, its policy's, and this week's attended count."""
        viewer = Viewer(0, team, "x", "X", "consultant", "")
        with transaction(services.session_factory) as db:
            stats = booking_statistics(db, viewer, clock.now(), tz, InboxText("da"))
        week = {r.label: r for r in stats.by_week}["2026-U48"]
        [policy] = stats.by_policy
        return week.confirmed, policy.confirmed, week.attended

    assert confirmed() == (0, 0, 0)
    citizen.say("JA")
    assert confirmed() == (1, 1, 0)
    # Confirmed stays counted whatever happened at the meeting.
    with transaction(services.session_factory) as db:
        db.get(Booking, booking_id).status = "attended"  # type: ignore[union-attr]
    assert confirmed() == (1, 1, 1)

    make_consultant("anna", team=team_name)
    inbox.login("anna")
    page = inbox.get("/inbox/statistics").text
    assert "Bekræftet (JA)" in page
    assert '<tr><td>2026-U48</td><td>1</td><td class="confirmed">1</td>' in page
    assert '<tr><td>48h+2h</td><td>1</td><td class="confirmed">1</td>' in page
