"""What the citizen's page shows beyond the stored rows: when the citizen was last seen, and who
recorded their consent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Citizen, Consultant, Direction, Message


def last_seen(db: Session, citizen: Citizen) -> datetime:
    """When the citizen last wrote: ``Citizen.last_seen_at`` is kept to the hour only (it saves
    an UPDATE per message), so their newest message says it to the minute."""
    newest = db.scalar(
        select(func.max(Message.created_at)).where(
            Message.citizen_id == citizen.id, Message.direction == Direction.IN.value
        )
    )
    if newest is None or newest < citizen.last_seen_at:
        return citizen.last_seen_at
    return newest


def consent_by(db: Session, citizen: Citizen) -> str | None:
    """The name of the consultant who recorded the contact details' consent."""
    contact = citizen.contact
    if contact is None or contact.consent_by_id is None:
        return None
    consultant = db.get(Consultant, contact.consent_by_id)
    return consultant.display_name if consultant else None
