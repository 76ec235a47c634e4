"""Where a message the citizen did not just ask for goes, and queueing it in the outbox.

One rule for every proactive message (a reminder, a consultant's reply, a notice): the channel
asked for, or else the one the citizen last wrote from, at its most recently seen address.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kernel.messages import Channel
from bot.store.models import ChannelIdentity, Citizen, Direction, Message, MessageStatus, Sender


def enqueue_proactive(
    session: Session,
    *,
    citizen: Citizen,
    conversation_id: int,
    text: str,
    now: datetime,
    choices: Sequence[str] = (),
    sender: Sender = Sender.SYSTEM,
    consultant_id: int | None = None,
    channel: Channel | None = None,
) -> Message:
    """Queue a message the citizen did not just ask for (reminder, consultant reply, notice).

    It goes to ``channel`` or else the channel the citizen last used, at that channel's most
    recently seen address. The caller's transaction commits it; a sender delivers it.

    Raises:
        LookupError: the citizen has no address on that channel.
    """
    target = channel or Channel(citizen.last_channel or Channel.WEB.value)
    address = session.scalars(
        select(ChannelIdentity.address)
        .where(ChannelIdentity.citizen_id == citizen.id, ChannelIdentity.channel == target.value)
        .order_by(ChannelIdentity.last_seen_at.desc(), ChannelIdentity.id.desc())
        .limit(1)
    ).first()
    if address is None and target == Channel.SMS and citizen.phone:
        address = citizen.phone
    if address is None:
        raise LookupError(f"citizen {citizen.id} has no {target.value} address")
    row = Message(
        conversation_id=conversation_id,
        citizen_id=citizen.id,
        direction=Direction.OUT.value,
        sender=sender.value,
        channel=target.value,
        address=address,
        text=text,
        choices=list(choices),
        consultant_id=consultant_id,
        status=MessageStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row
