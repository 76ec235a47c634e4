"""A redelivered message (same channel and transport id) gets the replies stored the first time,
without being handled again."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

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
    """The stored message of this transport message, if it was stored before."""
    params = {"channel": inbound.channel.value, "channel_message_id": inbound.channel_message_id}
    return session.scalars(_FIND_INBOUND, params).first()


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
