"""How long a consultant's reply may be on the channel it will go by.

An SMS reply is sent in GSM-7 (``bot/kernel/gsm7.py``: emoji are dropped, curly quotes made
plain) within ``twilio.max_segments`` parts, as the SMS channel sends every text. A longer one
is refused with the count, never cut silently; the reply box counts the parts as the consultant
types (``assets/inbox.js``) from the alphabet given here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.domain.delivery import delivery_target
from bot.kernel.errors import InboxError
from bot.kernel.gsm7 import GSM7_BASIC, GSM7_EXTENSION, sms_parts, to_gsm7
from bot.kernel.messages import Channel
from bot.store.models import Citizen, Conversation


@dataclass(frozen=True, slots=True)
class ReplyLimit:
    """What the reply box needs to count: the channel and, for SMS, the alphabet and limit."""

    channel: Channel | None
    max_parts: int
    gsm7_basic: str = "".join(sorted(GSM7_BASIC))
    gsm7_extension: str = "".join(sorted(GSM7_EXTENSION))
    # Left in the counter's texts for the script to fill in.
    parts_slot: str = "{parts}"
    chars_slot: str = "{chars}"

    @property
    def counts_sms(self) -> bool:
        return self.channel == Channel.SMS


def reply_channel(db: Session, conversation: Conversation) -> Channel | None:
    """The channel a consultant's reply in ``conversation`` goes by (the one resolver's)."""
    citizen = db.get(Citizen, conversation.citizen_id)
    if citizen is None:
        return None
    target = delivery_target(citizen, citizen.identities)
    return target[0] if target is not None else None


def reply_limit(db: Session, conversation: Conversation, max_parts: int) -> ReplyLimit:
    return ReplyLimit(reply_channel(db, conversation), max_parts)


def check_reply_length(db: Session, conversation: Conversation, text: str, max_parts: int) -> None:
    """Raises InboxError when ``text`` goes by SMS and takes more than ``max_parts`` parts."""
    if reply_channel(db, conversation) != Channel.SMS:
        return
    parts = sms_parts(to_gsm7(text))
    if parts > max_parts:
        raise InboxError("reach.sms_too_long", parts=parts, max=max_parts)
