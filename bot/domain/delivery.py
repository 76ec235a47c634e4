"""Where a message the citizen did not just ask for goes, and the outbox row that carries it.

One rule for every proactive message (a reminder, a consultant's reply, a notice): the channel
asked for, or else the one the citizen last wrote from, at its most recently seen address
(:func:`delivery_target`). One builder writes its ``queued`` row (:func:`proactive_message`);
:func:`enqueue_proactive` does both for a single message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.reachability import other_channel, reachable
from bot.kernel.messages import Channel
from bot.store.models import ChannelIdentity, Citizen, Direction, Message, MessageStatus, Sender


def delivery_target(
    citizen: Citizen,
    identities: Iterable[ChannelIdentity],
    channel: Channel | None = None,
    *,
    fall_back: bool = False,
) -> tuple[Channel, str] | None:
    """The channel and address a proactive message to ``citizen`` goes to, or None.

    ``channel``, else the channel the citizen last used, at its most recently seen address; an
    SMS with no SMS identity goes to the citizen's phone. A channel a provider said cannot reach
    the citizen (STOP, Twilio 21610/30004-30006, a Telegram block: :mod:`.reachability`) is never
    chosen: the message goes by the citizen's other channel instead. With ``fall_back``
    (reminders, which must reach the citizen somehow) every channel is tried, most recently seen
    first, then the phone.
    """
    identities = list(identities)
    newest_first = sorted(
        identities, key=lambda item: (item.last_seen_at, item.id or 0), reverse=True
    )
    if not fall_back:
        target = channel or Channel(citizen.last_channel or Channel.WEB.value)
        address = next((i.address for i in newest_first if i.channel == target.value), None)
        if address is None and target == Channel.SMS and citizen.phone:
            address = citizen.phone
        if address is not None and not reachable(citizen, target):
            return other_channel(citizen, identities, target)
        return None if address is None else (target, address)
    preferred = channel.value if channel else citizen.last_channel
    candidates = [i for i in newest_first if i.channel == preferred]
    candidates += [i for i in newest_first if i.channel != preferred]
    for identity in candidates:
        try:
            candidate = Channel(identity.channel)
        except ValueError:
            continue
        if reachable(citizen, candidate):
            return candidate, identity.address
    if citizen.phone and reachable(citizen, Channel.SMS):
        return Channel.SMS, citizen.phone
    return None


def proactive_message(
    *,
    citizen: Citizen,
    conversation_id: int,
    channel: Channel,
    address: str,
    text: str,
    now: datetime,
    choices: Sequence[str] = (),
    sender: Sender = Sender.SYSTEM,
    consultant_id: int | None = None,
) -> Message:
    """The ``queued`` outbound row of a proactive message, due now; the caller adds it."""
    return Message(
        conversation_id=conversation_id,
        citizen_id=citizen.id,
        direction=Direction.OUT.value,
        sender=sender.value,
        channel=channel.value,
        address=address,
        text=text,
        choices=list(choices),
        consultant_id=consultant_id,
        status=MessageStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


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

    It goes where :func:`delivery_target` says. The caller's transaction commits it; a sender
    delivers it.

    Raises:
        LookupError: the citizen has no address on that channel.
    """
    identities = session.scalars(
        select(ChannelIdentity).where(ChannelIdentity.citizen_id == citizen.id)
    ).all()
    target = delivery_target(citizen, identities, channel)
    if target is None:
        wanted = channel or Channel(citizen.last_channel or Channel.WEB.value)
        raise LookupError(f"citizen {citizen.id} has no {wanted.value} address")
    row = proactive_message(
        citizen=citizen,
        conversation_id=conversation_id,
        channel=target[0],
        address=target[1],
        text=text,
        now=now,
        choices=choices,
        sender=sender,
        consultant_id=consultant_id,
    )
    session.add(row)
    session.flush()
    return row
