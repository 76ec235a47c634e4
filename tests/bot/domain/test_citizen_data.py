"""A citizen's data can be exported and deleted; old text is purged; statistics survive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.domain.citizen_data import delete_citizen, export_citizen, purge_expired
from bot.kernel.clock import FixedClock
from bot.runtime.privacy_settings import RetentionSettings
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    Booking,
    ChannelIdentity,
    Citizen,
    Consultant,
    Conversation,
    JobProfile,
    Location,
    Message,
    Slot,
    Team,
)
from bot.store.models.inbox import InternalNote, QueueWait
from tests.chat import ChatTester


def _book(services: Services, citizen_id: int, clock: FixedClock) -> None:
    start = clock.now() + timedelta(days=2)
    with transaction(services.session_factory) as session:
        team = Team(name="Team Nord")
        consultant = Consultant(team=team, username="mette", display_name="Mette")
        location = Location(team=team, name="Jobcenter Nord", kind="office")
        slot = Slot(
            consultant=consultant,
            location=location,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
        )
        session.add_all([team, consultant, location, slot])
        session.flush()
        session.add(
            Booking(
                citizen_id=citizen_id,
                slot_id=slot.id,
                consultant_id=consultant.id,
                location_id=location.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                status="attended",
                cancel_reason="syg barn",
                reminder_policy="48h+2h",
            )
        )
        session.add(
            AbsenceNotice(
                citizen_id=citizen_id, starts_on=date(2026, 11, 23), reason="other", note="tandlæge"
            )
        )
        session.add(JobProfile(citizen_id=citizen_id, kinds_of_work=["køkken"], hours_per_week=10))


def _citizen_id(services: Services) -> int:
    with transaction(services.session_factory) as session:
        return session.scalars(select(Citizen.id)).one()


def _note(services: Services, text: str) -> None:
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        author = session.scalars(select(Consultant)).one()
        session.add(
            InternalNote(conversation_id=conversation.id, consultant_id=author.id, text=text)
        )


def test_an_export_holds_every_kind_of_data(
    chat: ChatTester, services: Services, clock: FixedClock
) -> None:
    chat.say("hej")
    citizen_id = _citizen_id(services)
    _book(services, citizen_id, clock)
    _note(services, "ringede tilbage")
    with transaction(services.session_factory) as session:
        data = export_citizen(session, citizen_id)
    json.dumps(data)
    assert data["messages"][0]["text"] == "hej"
    assert data["channel_identities"][0]["channel"] == "web"
    assert data["bookings"][0]["status"] == "attended"
    assert data["absence_notices"][0]["note"] == "tandlæge"
    assert data["job_profile"]["kinds_of_work"] == ["køkken"]
    assert data["internal_notes"][0]["text"] == "ringede tilbage"


def test_deleting_a_citizen_removes_them_but_keeps_anonymous_statistics(
    chat: ChatTester, services: Services, clock: FixedClock
) -> None:
    chat.say("hej")
    citizen_id = _citizen_id(services)
    _book(services, citizen_id, clock)
    _note(services, "ringede tilbage")
    with transaction(services.session_factory) as session:
        delete_citizen(session, citizen_id, clock.now(), services.booking_listeners)
    with transaction(services.session_factory) as session:
        models = (
            Citizen,
            ChannelIdentity,
            Conversation,
            Message,
            AbsenceNotice,
            JobProfile,
            InternalNote,
        )
        for model in models:
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
        booking = session.scalars(select(Booking)).one()
        assert booking.citizen_id is None
        assert booking.cancel_reason is None
        assert booking.status == "attended"


def test_the_same_address_after_deletion_starts_afresh(
    chat: ChatTester, services: Services
) -> None:
    chat.say("hej")
    with transaction(services.session_factory) as session:
        delete_citizen(
            session, _citizen_id(services), services.clock.now(), services.booking_listeners
        )
    assert chat.say("hej")
    assert _citizen_id(services) > 0


def test_text_older_than_the_retention_period_is_purged(
    chat: ChatTester, services: Services, clock: FixedClock
) -> None:
    chat.say("gammel besked")
    clock.set(clock.now() + timedelta(days=100))
    chat.say("ny besked")
    with transaction(services.session_factory) as session:
        report = purge_expired(session, clock.now(), RetentionSettings(messages=90))
    assert report.message_texts == 2  # the old message and the bot's reply to it
    with transaction(services.session_factory) as session:
        texts = session.scalars(select(Message.text).order_by(Message.id)).all()
    assert texts[:2] == [None, None]
    assert texts[2] == "ny besked"


def test_citizen_commands_on_the_command_line(tmp_path: object) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    env = {**os.environ, "DATABASE_URL": db}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run("db", "upgrade").returncode == 0
    missing = run("citizen", "export", "999")
    assert missing.returncode == 1
    assert "no citizen with id 999" in missing.stderr
    purged = run("citizen", "purge")
    assert purged.returncode == 0
    assert purged.stdout.startswith("purged: 0 message texts")


def test_deleting_a_citizen_cancels_their_future_meetings(
    chat: ChatTester, services: Services, clock: FixedClock
) -> None:
    chat.say("hej")
    citizen_id = _citizen_id(services)
    _book(services, citizen_id, clock)
    with transaction(services.session_factory) as session:
        session.scalars(select(Booking)).one().status = "booked"
    with transaction(services.session_factory) as session:
        delete_citizen(session, citizen_id, clock.now(), services.booking_listeners)
    with transaction(services.session_factory) as session:
        booking = session.scalars(select(Booking)).one()
        assert booking.status == "cancelled"
        assert booking.citizen_id is None


def test_queue_waits_older_than_the_retention_period_are_purged(
    services: Services, clock: FixedClock
) -> None:
    now = clock.now()
    with transaction(services.session_factory) as session:
        for days_ago in (100, 3):
            taken_at = now - timedelta(days=days_ago)
            session.add(
                QueueWait(
                    priority=0, waiting_since=taken_at - timedelta(minutes=12), taken_at=taken_at
                )
            )
    with transaction(services.session_factory) as session:
        report = purge_expired(session, now, RetentionSettings(messages=90))
    assert report.queue_waits == 1
    with transaction(services.session_factory) as session:
        kept = session.scalars(select(QueueWait.taken_at)).all()
    assert kept == [now - timedelta(days=3)]
