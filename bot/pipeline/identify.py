"""Who sent a message and which conversation it goes to: a known sender in one round trip, a new
one signed up (citizen and channel identity), the open conversation locked or made.

The statements are built once with bound parameters: building a statement and its cache key
costs more Python time than running it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.kernel.errors import StartOver
from bot.kernel.messages import Channel, InboundMessage
from bot.store.conversations import (
    CITIZEN_COLUMNS,
    CONVERSATION_COLUMNS,
    OpenConversation,
    new_conversation_values,
    newest_open,
    open_conversation_of,
)
from bot.store.db import for_each_dialect
from bot.store.models import ConversationStatus, Direction, ReminderStatus
from bot.store.tables import CITIZENS, CONVERSATIONS, IDENTITIES, MESSAGES, REMINDERS

# When a citizen and an address were last seen: hourly resolution is enough and saves an
# UPDATE on most messages.
SEEN_RESOLUTION = timedelta(hours=1)

# Whether a reminder sent to the citizen still awaits an answer: most messages answer none, and
# then the flows' check for one costs no query (bot/pipeline/context.py).
_REMINDER_AWAITS_ANSWER = (
    exists()
    .where(
        REMINDERS.c.citizen_id == CITIZENS.c.id,
        REMINDERS.c.status == ReminderStatus.SENT.value,
        REMINDERS.c.answered_at.is_(None),
    )
    .label("reminder_awaits_answer")
)
_SENDER_IS = (
    IDENTITIES.c.channel == bindparam("channel"),
    IDENTITIES.c.address == bindparam("address"),
)
# Whether this channel and address wrote before (read before the message is stored): the first
# reply on a channel says a chatbot answers. The messages' address index makes it one probe.
_WROTE_BEFORE = exists().where(
    MESSAGES.c.channel == bindparam("channel"),
    MESSAGES.c.address == bindparam("address"),
    MESSAGES.c.direction == Direction.IN.value,
)
_WROTE_BEFORE_QUERY = select(_WROTE_BEFORE)
# A known sender's citizen and open conversation in one round trip, the conversation locked
# (FOR UPDATE OF: that row only, so one citizen's messages are handled one at a time). No row
# for a new sender or one whose conversations are all closed: then the long way.
_newest_open = CONVERSATIONS.alias("newest_open")
_KNOWN_SENDER = (
    select(
        IDENTITIES.c.id.label("identity_id"),
        IDENTITIES.c.last_seen_at.label("identity_seen_at"),
        *CITIZEN_COLUMNS,
        *CONVERSATION_COLUMNS,
        _REMINDER_AWAITS_ANSWER,
        _WROTE_BEFORE.label("wrote_before"),
    )
    .select_from(
        IDENTITIES.join(CITIZENS, IDENTITIES.c.citizen_id == CITIZENS.c.id).join(
            CONVERSATIONS,
            CONVERSATIONS.c.id
            == newest_open(
                _newest_open.c.id, citizen_id=CITIZENS.c.id, conversations=_newest_open
            ).scalar_subquery(),
        )
    )
    .where(*_SENDER_IS)
    .with_for_update(of=CONVERSATIONS)
)
_IDENTITY = select(IDENTITIES.c.id, IDENTITIES.c.citizen_id, IDENTITIES.c.last_seen_at).where(
    *_SENDER_IS
)
_CITIZEN = select(*CITIZEN_COLUMNS, CITIZENS.c.language).where(
    CITIZENS.c.id == bindparam("citizen_id")
)
_OPEN_CONVERSATION = newest_open(*CONVERSATION_COLUMNS).with_for_update()
_INSERT_CITIZEN = insert(CITIZENS).returning(CITIZENS.c.id)
_INSERT_CONVERSATION = insert(CONVERSATIONS).returning(CONVERSATIONS.c.id)
# A concurrent first message from the same address makes the identity only once.
_INSERT_IDENTITY = for_each_dialect(
    lambda insert_for_dialect: (
        insert_for_dialect(IDENTITIES)
        .on_conflict_do_nothing(index_elements=["channel", "address"])
        .returning(IDENTITIES.c.id)
    )
)
_IDENTITY_SEEN = (
    update(IDENTITIES)
    .where(IDENTITIES.c.id == bindparam("row_id"))
    .values(last_seen_at=bindparam("last_seen_at"))
)
# The SET clause follows the parameters given.
_UPDATE_CITIZEN = update(CITIZENS).where(CITIZENS.c.id == bindparam("row_id"))


def _sender(inbound: InboundMessage) -> dict[str, Any]:
    return {"channel": inbound.channel.value, "address": inbound.address}


def known_sender(
    connection: Connection, inbound: InboundMessage, now: datetime
) -> OpenConversation | None:
    """A known sender's open conversation, locked; None for a new sender or one whose
    conversations are all closed."""
    known = connection.execute(_KNOWN_SENDER, _sender(inbound)).first()
    if known is None:
        return None
    if now - known.identity_seen_at > SEEN_RESOLUTION:
        connection.execute(_IDENTITY_SEEN, {"row_id": known.identity_id, "last_seen_at": now})
    return open_conversation_of(
        known,
        known,
        reminder_awaits_answer=bool(known.reminder_awaits_answer),
        first_contact=not known.wrote_before,
    )


def wrote_before(connection: Connection, inbound: InboundMessage) -> bool:
    """Whether a message came from this channel and address before (none is stored yet)."""
    return bool(connection.execute(_WROTE_BEFORE_QUERY, _sender(inbound)).scalar())


def identify(
    connection: Connection, inbound: InboundMessage, now: datetime, *, language: str
) -> tuple[int, bool]:
    """The sender's citizen id, and whether this message made them a citizen (in
    ``language``)."""
    params = _sender(inbound)
    identity = connection.execute(_IDENTITY, params).first()
    if identity is not None:
        if now - identity.last_seen_at > SEEN_RESOLUTION:
            connection.execute(_IDENTITY_SEEN, {"row_id": identity.id, "last_seen_at": now})
        return identity.citizen_id, False
    try:
        citizen_id = connection.execute(
            _INSERT_CITIZEN,
            {
                "language": language,
                "phone": inbound.address if inbound.channel == Channel.SMS else None,
                "last_channel": inbound.channel.value,
                "created_at": now,
                "last_seen_at": now,
            },
        ).scalar_one()
        identity_id = connection.execute(
            _INSERT_IDENTITY[connection.dialect.name],
            {**params, "citizen_id": citizen_id, "created_at": now, "last_seen_at": now},
        ).scalar_one_or_none()
    except IntegrityError as exc:
        # A concurrent first message from the same number made the citizen first.
        raise StartOver() from exc
    if identity_id is None:
        raise StartOver()  # the same, seen on the address: ours is rolled back
    return citizen_id, True


def open_conversation_locked(
    connection: Connection,
    inbound: InboundMessage,
    citizen_id: int,
    now: datetime,
    *,
    signed_up: bool,
    language: str,
) -> OpenConversation:
    """The citizen's open conversation, locked, or a new one (in ``language`` when the citizen
    signed up just now)."""
    if signed_up:
        # Made just now: the citizen is what was inserted, with no conversation to look for
        # (nobody else can see them before the commit) and no reminder sent.
        last_channel: str | None = inbound.channel.value
        seen_at, opted_out = now, False
    else:
        citizen = connection.execute(_CITIZEN, {"citizen_id": citizen_id}).one()
        found = connection.execute(_OPEN_CONVERSATION, {"citizen_id": citizen_id}).first()
        if found is not None:
            return open_conversation_of(citizen, found)
        language, last_channel = citizen.language, citizen.last_channel
        seen_at, opted_out = citizen.citizen_seen_at, bool(citizen.reminders_opted_out)
    conversation_id = connection.execute(
        _INSERT_CONVERSATION, new_conversation_values(citizen_id, language, now)
    ).scalar_one()
    return OpenConversation(
        citizen_id=citizen_id,
        conversation_id=conversation_id,
        status=ConversationStatus.BOT.value,
        language=language,
        flow_state={},
        last_channel=last_channel,
        citizen_seen_at=seen_at,
        reminders_opted_out=opted_out,
        reminder_awaits_answer=not signed_up,
    )


def note_citizen_seen(
    connection: Connection, inbound: InboundMessage, conversation: OpenConversation, now: datetime
) -> None:
    """Record the channel the citizen wrote on, and when they were seen (to the hour)."""
    writes: dict[str, Any] = {}
    if conversation.last_channel != inbound.channel.value:
        writes["last_channel"] = inbound.channel.value
    if now - conversation.citizen_seen_at > SEEN_RESOLUTION:
        writes["last_seen_at"] = now
    if writes:
        connection.execute(_UPDATE_CITIZEN, {"row_id": conversation.citizen_id, **writes})
