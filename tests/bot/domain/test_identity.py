"""One citizen across channels: linking a shared phone number merges the two records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.domain.identity import link_phone, normalise_phone
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4520304050", "+4520304050"),
        ("+45 20 30 40 50", "+4520304050"),
        ("004520304050", "+4520304050"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12", "abc", "+0123456789"])
def test_what_is_not_a_phone_number_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        normalise_phone(raw)


def test_linking_moves_identities_conversations_messages_bookings_into_the_older_citizen(
    services: Services,
) -> None:
    now = services.clock.now()
    with transaction(services.session_factory) as session:
        team = Team(name="Nord")
        session.add(team)
        session.flush()
        consultant = Consultant(team_id=team.id, username="kk", display_name="Karen")
        location = Location(team_id=team.id, name="Jobcenter Nord")
        session.add_all([consultant, location])
        session.flush()
        sms_citizen = Citizen(
            phone="+4520304050",
            sms_opted_out=True,
            created_at=now - timedelta(days=3),
            last_seen_at=now - timedelta(days=1),
            last_channel="sms",
        )
        tg_citizen = Citizen(created_at=now, last_seen_at=now, last_channel="telegram")
        session.add_all([sms_citizen, tg_citizen])
        session.flush()
        session.add_all(
            [
                ChannelIdentity(citizen_id=sms_citizen.id, channel="sms", address="+4520304050"),
                ChannelIdentity(citizen_id=tg_citizen.id, channel="telegram", address="555"),
                JobProfile(citizen_id=sms_citizen.id, kinds_of_work=["lager"]),
                JobProfile(citizen_id=tg_citizen.id, kinds_of_work=["kontor"]),
            ]
        )
        conversation = Conversation(citizen_id=tg_citizen.id, flow_state={})
        session.add(conversation)
        session.flush()
        session.add(
            Message(
                conversation_id=conversation.id,
                citizen_id=tg_citizen.id,
                direction="in",
                sender="citizen",
                channel="telegram",
                address="555",
                text="hej",
                status="received",
            )
        )
        slot = Slot(
            consultant_id=consultant.id,
            location_id=location.id,
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, minutes=30),
        )
        session.add(slot)
        session.flush()
        session.add(
            Booking(
                citizen_id=tg_citizen.id,
                slot_id=slot.id,
                consultant_id=consultant.id,
                location_id=location.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
            )
        )
        session.flush()
        older_id = sms_citizen.id
        newer = session.get(Citizen, tg_citizen.id)
        assert newer is not None

        kept = link_phone(session, newer, "4520304050", now)

        assert kept.id == older_id
        assert kept.phone == "+4520304050"
        assert kept.sms_opted_out is True  # an opt-out survives the merge
        assert kept.last_channel == "telegram"  # the most recent use wins

    with transaction(services.session_factory) as session:
        assert session.scalars(select(Citizen.id)).all() == [older_id]
        assert set(session.scalars(select(ChannelIdentity.citizen_id))) == {older_id}
        assert set(session.scalars(select(Conversation.citizen_id))) == {older_id}
        assert set(session.scalars(select(Message.citizen_id))) == {older_id}
        assert set(session.scalars(select(Booking.citizen_id))) == {older_id}
        # One job profile per citizen: the kept citizen's own stays.
        assert session.scalars(select(JobProfile.kinds_of_work)).all() == [["lager"]]


def test_linking_a_new_number_adds_the_sms_identity(services: Services) -> None:
    now = services.clock.now()
    with transaction(services.session_factory) as session:
        citizen = Citizen(created_at=now, last_seen_at=now)
        session.add(citizen)
        session.flush()

        kept = link_phone(session, citizen, "+4599887766", now)
        again = link_phone(session, kept, "+4599887766", now)  # idempotent

        assert again.id == kept.id == citizen.id
        identities = session.scalars(select(ChannelIdentity.address)).all()
        assert identities == ["+4599887766"]
