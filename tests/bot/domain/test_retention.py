"""Each kind of data is kept exactly as long as config's privacy.retention says (and the privacy
notice states): before its period it stays, after it it is gone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.citizen_data import purge_expired
from bot.kernel.clock import FixedClock
from bot.runtime.privacy_settings import RetentionSettings
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    AuditEntry,
    Booking,
    Citizen,
    Conversation,
    JobProfile,
    Message,
)
from tests.chat import ChatTester
from tests.scheduling_data import make_booking

# Distinct periods, so each kind is seen to go at its own time and not with another's.
RETENTION = RetentionSettings(
    messages=10,
    absence_notices=20,
    job_profiles=30,
    bookings=40,
    audit_log=50,
    inactive_citizens=60,
)


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def told(services: Services, clock: FixedClock) -> Services:
    """A citizen who chatted, reported an absence, gave job wishes, had a meeting yesterday."""
    now = clock.now()
    ChatTester(services).say("jeg vil gerne arbejde i et køkken")
    with transaction(services.session_factory) as session:
        citizen = session.scalars(select(Citizen)).one()
        # Explicit in the SET, so the column's onupdate (the real clock) stays out of it.
        session.execute(
            update(Conversation).values(
                flow_state={"facts": {"topic": "jobonsker"}}, updated_at=now
            )
        )
        session.add(
            AbsenceNotice(
                citizen_id=citizen.id,
                reported_at=now,
                starts_on=date(2026, 11, 23),
                reason="own_sickness",
                note="syg",
            )
        )
        session.add(JobProfile(citizen_id=citizen.id, kinds_of_work=["køkken"], updated_at=now))
        make_booking(session, citizen, now - timedelta(days=1), now=now)
        session.add(
            AuditEntry(action="view_citizen", object_type="citizen", citizen_id=citizen.id, at=now)
        )
    return services


def _purge_after(services: Services, clock: FixedClock, days: float) -> None:
    with transaction(services.session_factory) as session:
        purge_expired(session, clock.now() + timedelta(days=days), RETENTION)


def test_nothing_is_purged_before_its_period(told: Services, clock: FixedClock) -> None:
    _purge_after(told, clock, 9)
    with transaction(told.session_factory) as session:
        assert None not in session.scalars(select(Message.text)).all()
        assert session.scalars(select(Conversation.flow_state)).one() != {}
        assert _count(session, AbsenceNotice) == 1
        assert _count(session, JobProfile) == 1
        assert session.scalars(select(Booking.citizen_id)).one() is not None
        assert _count(session, AuditEntry) == 1
        assert _count(session, Citizen) == 1


def test_message_text_and_chat_notes_go_after_their_period(
    told: Services, clock: FixedClock
) -> None:
    _purge_after(told, clock, 11)
    with transaction(told.session_factory) as session:
        assert set(session.scalars(select(Message.text)).all()) == {None}
        assert session.scalars(select(Conversation.flow_state)).one() == {}
        notice = session.scalars(select(AbsenceNotice)).one()
        assert notice.note is None  # the citizen's words go with the messages ...
        assert notice.reason == "own_sickness"  # ... the notice itself stays its own period


def test_absence_notices_go_after_their_period(told: Services, clock: FixedClock) -> None:
    _purge_after(told, clock, 19)
    with transaction(told.session_factory) as session:
        assert _count(session, AbsenceNotice) == 1
    _purge_after(told, clock, 21)
    with transaction(told.session_factory) as session:
        assert _count(session, AbsenceNotice) == 0
        assert _count(session, JobProfile) == 1


def test_job_profiles_go_after_their_period(told: Services, clock: FixedClock) -> None:
    _purge_after(told, clock, 29)
    with transaction(told.session_factory) as session:
        assert _count(session, JobProfile) == 1
    _purge_after(told, clock, 31)
    with transaction(told.session_factory) as session:
        assert _count(session, JobProfile) == 0


def test_bookings_lose_the_citizen_after_their_period(told: Services, clock: FixedClock) -> None:
    _purge_after(told, clock, 38)
    with transaction(told.session_factory) as session:
        assert session.scalars(select(Booking.citizen_id)).one() is not None
    _purge_after(told, clock, 40)
    with transaction(told.session_factory) as session:
        assert session.scalars(select(Booking.citizen_id)).one() is None
        assert _count(session, Booking) == 1  # kept for statistics, without the person


def test_audit_entries_go_after_their_period(told: Services, clock: FixedClock) -> None:
    _purge_after(told, clock, 49)
    with transaction(told.session_factory) as session:
        assert _count(session, AuditEntry) == 1
    _purge_after(told, clock, 51)
    with transaction(told.session_factory) as session:
        assert _count(session, AuditEntry) == 0


def test_a_citizen_silent_for_the_period_is_deleted_entirely(
    told: Services, clock: FixedClock
) -> None:
    _purge_after(told, clock, 59)
    with transaction(told.session_factory) as session:
        assert _count(session, Citizen) == 1
    _purge_after(told, clock, 61)
    with transaction(told.session_factory) as session:
        assert _count(session, Citizen) == 0
        assert _count(session, Message) == 0


def test_a_silent_citizen_with_a_meeting_ahead_is_kept(
    services: Services, clock: FixedClock
) -> None:
    now = clock.now()
    ChatTester(services).say("hej")
    with transaction(services.session_factory) as session:
        citizen = session.scalars(select(Citizen)).one()
        make_booking(session, citizen, now + timedelta(days=70), now=now)
    _purge_after(services, clock, 61)
    with transaction(services.session_factory) as session:
        assert _count(session, Citizen) == 1
