"""A redelivered message (same channel, sender and transport id) gets the replies stored the
first time, without being handled again; the same id from another sender is refused.

Telegram's update ids and Twilio's MessageSids are unique per bot and account, so one from a
second sender is a forgery or a fault, never a new message: answering it with the first
sender's replies would hand them to a stranger. (Web chat ids are unique per session only; their
stored key names the session, see integrations/webchat.py.)
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.kernel.errors import ForeignRedelivery
from bot.kernel.messages import InboundMessage
from bot.pipeline.port import DispatchResult
from bot.store.models import Direction, Message

# Built once with bound parameters (see bot/pipeline/identify.py for why).
_FIND_INBOUND = select(Message).where(
    Message.direction == Direction.IN.value,
    Message.channel == bindparam("channel"),
    Message.channel_message_id == bindparam("channel_message_id"),
)
_REPLIES_TO = (
    select(Message).where(Message.in_reply_to_id == bindparam("inbound_id")).order_by(Message.id)
)


def find_inbound(session: Session, inbound: InboundMessage) -> Message | None:
    """The stored message of this transport message, if it was stored before (by anyone)."""
    if inbound.channel_message_id is None:
        return None
    params = {"channel": inbound.channel.value, "channel_message_id": inbound.channel_message_id}
    return session.scalars(_FIND_INBOUND, params).first()


log = logging.getLogger(__name__)


def replay_to(session: Session, earlier: Message, inbound: InboundMessage) -> DispatchResult:
    """The first answer to ``earlier``, when ``inbound`` is its redelivery by the same sender.

    Raises:
        ForeignRedelivery: ``inbound`` comes from another sender than ``earlier`` (the caller's
            transaction is rolled back: nothing is stored, nobody is answered).
    """
    if earlier.address != inbound.address:
        log.warning(
            "refused a %s message whose id %s another sender's message has",
            inbound.channel.value,
            inbound.channel_message_id,
        )
        raise ForeignRedelivery()
    return replay(session, earlier)


def replay(session: Session, inbound: Message) -> DispatchResult:
    """What became of the stored ``inbound`` message the first time."""
    rows = session.scalars(_REPLIES_TO, {"inbound_id": inbound.id}).all()
    return DispatchResult(
        inbound_id=inbound.id,
        citizen_id=inbound.citizen_id,
        conversation_id=inbound.conversation_id,
        replies=[row.as_outbound() for row in rows],
        duplicate=True,
        intent=inbound.intent,
    )
