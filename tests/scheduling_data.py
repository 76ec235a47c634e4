"""Teams, consultants, places, citizens and bookings for tests and benches, made directly."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.store.models import (
    Booking,
    BookingStatus,
    ChannelIdentity,
    Citizen,
    Consultant,
    Location,
    Slot,
    Team,
)

_numbers = itertools.count(1)


def make_consultant(session: Session, name: str = "Mette Hansen") -> Consultant:
    number = next(_numbers)
    team = Team(name=f"Team {number}")
    consultant = Consultant(team=team, username=f"consultant{number}", display_name=name)
    session.add_all([team, consultant])
    session.flush()
    return consultant


def make_location(
    session: Session,
    consultant: Consultant,
    *,
    name: str = "Jobcenter Nord",
    address: str | None = "Nørregade 4",
    directions: str | None = None,
    kind: str = "office",
) -> Location:
    location = Location(
        team_id=consultant.team_id, name=name, address=address, directions=directions, kind=kind
    )
    session.add(location)
    session.flush()
    return location


def make_citizen(
    session: Session,
    *,
    channel: str = "sms",
    address: str | None = None,
    now: datetime,
    **fields: object,
) -> Citizen:
    number = next(_numbers)
    address = address or (f"+4520{number:06d}" if channel == "sms" else f"{channel}-{number}")
    citizen = Citizen(
        last_channel=channel,
        phone=address if channel == "sms" else None,
        created_at=now,
        last_seen_at=now,
        **fields,
    )
    citizen.identities.append(
        ChannelIdentity(channel=channel, address=address, created_at=now, last_seen_at=now)
    )
    session.add(citizen)
    session.flush()
    return citizen


def make_booking(
    session: Session,
    citizen: Citizen,
    starts_at: datetime,
    *,
    consultant: Consultant | None = None,
    location: Location | None = None,
    booked_via: str = "sms",
    topic: str | None = None,
    now: datetime,
) -> Booking:
    consultant = consultant or make_consultant(session)
    location = location or make_location(session, consultant)
    slot = Slot(
        consultant_id=consultant.id,
        location_id=location.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        created_at=now,
    )
    session.add(slot)
    session.flush()
    booking = Booking(
        citizen_id=citizen.id,
        slot_id=slot.id,
        consultant_id=consultant.id,
        location_id=location.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=BookingStatus.BOOKED.value,
        topic=topic,
        booked_via=booked_via,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    return booking
