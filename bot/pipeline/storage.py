"""The rows a message leaves: the inbound message, the conversation's columns the pipeline
keeps (the flood count, the flow state) and the replies, on PostgreSQL and SQLite.

The statements are built once with bound parameters (see bot/pipeline/identify.py for why).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, insert, text, update

from bot.kernel.messages import InboundMessage, OutboundMessage, Reply
from bot.pipeline.port import PROVIDER_REPORT_GRACE, Delivery, DispatchResult
from bot.store.conversations import OpenConversation
from bot.store.db import for_each_dialect
from bot.store.models import Direction, MessageStatus, Sender
from bot.store.tables import CONVERSATIONS, MESSAGES
from nlu.types import ParseResult

# A redelivered transport message (same channel and id) is not stored twice.
_INSERT_INBOUND = for_each_dialect(
    lambda insert_for_dialect: (
        insert_for_dialect(MESSAGES)
        .on_conflict_do_nothing(index_elements=["direction", "channel", "channel_message_id"])
        .returning(MESSAGES.c.id)
    )
)
_INSERT_REPLIES = insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True)
# The SET clause follows the parameters given.
_UPDATE_CONVERSATION = update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("row_id"))
# The columns of a reply's row (_reply_row).
_REPLY_COLUMNS = (
    "conversation_id",
    "citizen_id",
    "direction",
    "sender",
    "channel",
    "address",
    "text",
    "choices",
    "in_reply_to_id",
    "status",
    "sent_at",
    "next_attempt_at",
    "attempts",
    "created_at",
    "claimed_until",
)


def insert_inbound(
    connection: Connection,
    inbound: InboundMessage,
    conversation: OpenConversation,
    text: str | None,
    parse: ParseResult | None,
    now: datetime,
) -> int | None:
    """Store the inbound message; None when the same transport message is already stored.

    INSERT ... ON CONFLICT DO NOTHING instead of a savepoint: one round trip, and a
    redelivery racing the first delivery is detected without aborting the transaction.
    """
    values = {
        "conversation_id": conversation.conversation_id,
        "citizen_id": conversation.citizen_id,
        "direction": Direction.IN.value,
        "sender": Sender.CITIZEN.value,
        "channel": inbound.channel.value,
        "address": inbound.address,
        "channel_message_id": inbound.channel_message_id,
        "text": text,
        "choices": [],
        "intent": parse["intent"]["name"] if parse is not None else None,
        "confidence": parse["intent"]["confidence"] if parse is not None else None,
        "status": MessageStatus.RECEIVED.value,
        "attempts": 0,
        "created_at": now,
        "edited": inbound.edited,
    }
    statement = _INSERT_INBOUND[connection.dialect.name]
    return connection.execute(statement, values).scalar_one_or_none()


def store_replies(
    connection: Connection,
    inbound: InboundMessage,
    conversation: OpenConversation,
    inbound_id: int,
    replies: list[Reply],
    delivery: Delivery,
    now: datetime,
    writes: dict[str, Any],
    *,
    intent: str | None,
) -> DispatchResult:
    """Write the conversation's columns (``writes``), store the replies to an admitted message
    and say what was done."""
    rows = [
        _reply_row(conversation, inbound, inbound_id, reply, delivery, now) for reply in replies
    ]
    ids = _write_conversation_and_replies(
        connection, conversation.conversation_id, writes, rows, now
    )
    citizen_id = conversation.citizen_id
    return DispatchResult(
        inbound_id=inbound_id,
        citizen_id=citizen_id,
        conversation_id=conversation.conversation_id,
        replies=[
            OutboundMessage(
                id=row_id,
                channel=inbound.channel,
                address=inbound.address,
                text=row["text"],
                choices=tuple(row["choices"]),
                citizen_id=citizen_id,
            )
            for row_id, row in zip(ids, rows, strict=True)
        ],
        duplicate=False,
        intent=intent,
    )


def _reply_row(
    conversation: OpenConversation,
    inbound: InboundMessage,
    inbound_id: int,
    reply: Reply,
    delivery: Delivery,
    now: datetime,
) -> dict[str, Any]:
    """The ``messages`` row of one reply (its outbox entry when delivery is OUTBOX)."""
    inline = delivery == Delivery.INLINE
    reported = delivery == Delivery.INLINE_REPORTED
    status = MessageStatus.SENT if inline else MessageStatus.QUEUED
    return {
        "conversation_id": conversation.conversation_id,
        "citizen_id": conversation.citizen_id,
        "direction": Direction.OUT.value,
        "sender": Sender.BOT.value,
        "channel": inbound.channel.value,
        "address": inbound.address,
        "text": reply.text,
        "choices": list(reply.choices),
        "in_reply_to_id": inbound_id,
        "status": (MessageStatus.SENDING if reported else status).value,
        "sent_at": now if inline else None,
        "next_attempt_at": None if inline or reported else now,
        "attempts": 1 if reported else 0,
        "created_at": now,
        "claimed_until": now + PROVIDER_REPORT_GRACE if reported else None,
    }


def _write_conversation_and_replies(
    connection: Connection,
    conversation_id: int,
    writes: dict[str, Any],
    replies: list[dict[str, Any]],
    now: datetime,
) -> list[int]:
    """Write the pipeline's columns of the locked conversation row and insert the replies'
    rows; return the replies' ids in order.

    On PostgreSQL one statement does both (the UPDATE as a data-modifying WITH): a round trip
    fewer on every message. Effects change other columns of the conversation through the ORM
    (a handoff, a language), flushed before this.
    """
    params = {"row_id": conversation_id, "updated_at": now, **writes}
    if replies and connection.dialect.name == "postgresql":
        statement = _conversation_and_replies(tuple(writes), len(replies))
        for index, row in enumerate(replies):
            params.update({f"{name}_{index}": value for name, value in row.items()})
        # Ids come from the sequence row by row, in the order of the VALUES list.
        return sorted(connection.execute(statement, params).scalars())
    connection.execute(_UPDATE_CONVERSATION, params)
    if not replies:
        return []
    return list(connection.execute(_INSERT_REPLIES, replies).scalars())


@functools.lru_cache(maxsize=128)
def _conversation_and_replies(write_names: tuple[str, ...], count: int) -> TextClause:
    """``WITH (UPDATE conversations ...) INSERT INTO messages VALUES (...) x count``, built once
    per shape. Text with typed parameters, because SQLAlchemy compiles a multi-row INSERT with
    a WITH afresh on every execution, which cost more than the round trip it saves. Every name
    in it comes from the constants above, none from a message."""
    written = (*write_names, "updated_at")
    assignments = ", ".join(f"{name} = :{name}" for name in written)
    rows = ", ".join(
        "(" + ", ".join(f":{name}_{index}" for name in _REPLY_COLUMNS) + ")"
        for index in range(count)
    )
    statement = text(
        "WITH conversation_written AS ("  # noqa: S608 - names from constants, values bound
        f"UPDATE conversations SET {assignments} WHERE id = :row_id) "
        f"INSERT INTO messages ({', '.join(_REPLY_COLUMNS)}) VALUES {rows} RETURNING id"
    )
    return statement.bindparams(
        bindparam("row_id", type_=CONVERSATIONS.c.id.type),
        *(bindparam(name, type_=CONVERSATIONS.c[name].type) for name in written),
        *(
            bindparam(f"{name}_{index}", type_=MESSAGES.c[name].type)
            for index in range(count)
            for name in _REPLY_COLUMNS
        ),
    )
