"""One citizen across channels: linking a phone number to a citizen, merging duplicates.

A citizen who first wrote by SMS and later on Telegram starts out as two citizen records. When
they share their phone number on Telegram (the contact button), :func:`link_phone` makes them one:
the older record is kept and everything of the newer one (channel identities, conversations,
messages, bookings and every other row that points at a citizen) moves over to it.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, delete, func, select, update
from sqlalchemy.orm import Session

from bot.kernel.messages import Channel
from bot.kernel.text import is_phone_number
from bot.store.models import Base, ChannelIdentity, Citizen

log = logging.getLogger(__name__)

_NOT_DIGITS = re.compile(r"[^\d+]")


def normalise_phone(raw: str) -> str:
    """E.164 with a leading ``+`` (Telegram sends ``4512345678``, Twilio ``+4512345678``).

    Raises:
        ValueError: not a plausible phone number.
    """
    digits = _NOT_DIGITS.sub("", raw.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        digits = "+" + digits
    if not is_phone_number(digits):
        raise ValueError("not a phone number")
    return digits


def link_phone(session: Session, citizen: Citizen, phone: str, now: datetime) -> Citizen:
    """Give ``citizen`` the phone number and its SMS identity, merging any other owner of it.

    Returns the citizen that remains (the older of the two when a merge happens).
    """
    phone = normalise_phone(phone)
    owner_ids = {
        *session.scalars(select(Citizen.id).where(Citizen.phone == phone)),
        *session.scalars(
            select(ChannelIdentity.citizen_id).where(
                ChannelIdentity.channel == Channel.SMS.value, ChannelIdentity.address == phone
            )
        ),
    }
    owner_ids.discard(citizen.id)
    kept = citizen
    for other_id in sorted(owner_ids):
        other = session.get(Citizen, other_id)
        if other is None:
            continue
        older, newer = sorted((kept, other), key=_age)
        kept = merge_citizens(session, keep=older, drop=newer)
    if kept.phone != phone:
        kept.phone = phone
    has_sms = session.scalars(
        select(ChannelIdentity.id).where(
            ChannelIdentity.channel == Channel.SMS.value, ChannelIdentity.address == phone
        )
    ).first()
    if has_sms is None:
        session.add(
            ChannelIdentity(
                citizen_id=kept.id,
                channel=Channel.SMS.value,
                address=phone,
                created_at=now,
                last_seen_at=now,
            )
        )
    session.flush()
    return kept


def _age(citizen: Citizen) -> tuple[datetime, int]:
    return (citizen.created_at, citizen.id)


def merge_citizens(session: Session, *, keep: Citizen, drop: Citizen) -> Citizen:
    """Move everything of ``drop`` to ``keep`` and delete ``drop``; return ``keep``.

    Every table with a foreign key to ``citizens.id`` is updated, so tables added later
    (reminders, job profiles) follow without changes here. Where a table allows one row per
    citizen and both have one, ``keep``'s row stays and ``drop``'s is deleted.
    """
    if keep.id == drop.id:
        return keep
    keep_id, drop_id = keep.id, drop.id
    keep.display_name = keep.display_name or drop.display_name
    keep.team_id = keep.team_id or drop.team_id
    keep.contact_consultant_id = keep.contact_consultant_id or drop.contact_consultant_id
    # An opt-out given on either record still holds.
    keep.sms_opted_out = bool(keep.sms_opted_out or drop.sms_opted_out)
    keep.reminders_opted_out = bool(keep.reminders_opted_out or drop.reminders_opted_out)
    if drop.last_seen_at > keep.last_seen_at:
        keep.last_seen_at = drop.last_seen_at
        keep.last_channel = drop.last_channel or keep.last_channel
    phone = keep.phone or drop.phone
    drop.phone = None  # the number is unique: free it before the kept record takes it
    session.flush()
    for table, column in _citizen_references():
        if _unique_on(table, column.name):
            taken = session.scalar(select(func.count()).select_from(table).where(column == keep_id))
            if taken:
                session.execute(delete(table).where(column == drop_id))
                continue
        session.execute(update(table).where(column == drop_id).values({column.name: keep_id}))
    session.execute(delete(Citizen).where(Citizen.id == drop_id))
    session.expunge(drop)
    # Rows moved by the statements above are stale in the session: reload them on access.
    session.expire_all()
    kept = session.get(Citizen, keep_id)
    assert kept is not None
    kept.phone = phone
    session.flush()
    log.info("merged citizen %s into citizen %s", drop_id, keep_id)
    return kept


def _citizen_references() -> list[tuple[Table, Column[Any]]]:
    citizens = Base.metadata.tables["citizens"]
    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is citizens:
                found.append((table, fk.parent))
    return found


def _unique_on(table: Table, column_name: str) -> bool:
    if any(c.name == column_name and c.unique for c in table.columns):
        return True
    for constraint in table.constraints:
        names = [c.name for c in getattr(constraint, "columns", [])]
        if names == [column_name] and constraint.__class__.__name__ == "UniqueConstraint":
            return True
    return False
