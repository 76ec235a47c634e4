"""Whether a citizen can be reached on a channel, as the providers told us.

Only what a provider states is recorded, never a guess:

* Twilio **21610** (the number replied STOP to our sender): ``sms_opted_out``, as a STOP by SMS.
* Twilio **30004** (blocked), **30005** (unknown number), **30006** (landline or unreachable
  carrier): ``sms_unreachable`` keeps the code; a later delivered SMS, or an SMS from the
  number, clears it.
* Telegram **403 Forbidden** on send, or a ``my_chat_member`` update saying the bot was
  ``kicked`` or ``left``: ``telegram_blocked``; a ``member`` update (the citizen restarted the
  bot) or a new message from the chat clears it.

:func:`reachable` is what the one channel resolver (:mod:`bot.domain.delivery`) asks, and
:func:`reroute` moves a proactive message a provider refused to the citizen's other channel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kernel.messages import Channel
from bot.store.models import ChannelIdentity, Citizen, Message, MessageStatus, Sender

log = logging.getLogger(__name__)

TWILIO_UNSUBSCRIBED = "21610"
TWILIO_UNREACHABLE = frozenset({"30004", "30005", "30006"})
TELEGRAM_GONE = frozenset({"kicked", "left"})
TELEGRAM_BACK = frozenset({"member", "administrator", "creator"})


def reachable(citizen: Citizen, channel: Channel | str) -> bool:
    """May a proactive message to ``citizen`` go by ``channel``?"""
    value = Channel(channel)
    if value == Channel.SMS:
        return not citizen.sms_opted_out and citizen.sms_unreachable is None
    if value == Channel.TELEGRAM:
        return not citizen.telegram_blocked
    return True


def learn_twilio_error(session: Session, citizen_id: int, code: str) -> bool:
    """Record a Twilio error code that says the number cannot be reached; True if it did."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        return False
    if code == TWILIO_UNSUBSCRIBED:
        if not citizen.sms_opted_out:
            log.info("citizen %s is unsubscribed from SMS (Twilio 21610)", citizen.id)
        citizen.sms_opted_out = True
        return True
    if code in TWILIO_UNREACHABLE:
        log.info("citizen %s cannot be reached by SMS (Twilio %s)", citizen.id, code)
        citizen.sms_unreachable = code
        return True
    return False


def learn_sms_delivered(session: Session, citizen_id: int) -> None:
    """A delivered SMS proves the number works again."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is not None and citizen.sms_unreachable is not None:
        citizen.sms_unreachable = None


def learn_telegram_blocked(session: Session, citizen_id: int, blocked: bool) -> None:
    citizen = session.get(Citizen, citizen_id)
    if citizen is not None and citizen.telegram_blocked != blocked:
        log.info(
            "citizen %s %s the bot on Telegram", citizen.id, "blocked" if blocked else "unblocked"
        )
        citizen.telegram_blocked = blocked


def telegram_membership(session: Session, chat_id: str, status: str) -> int | None:
    """A ``my_chat_member`` update of a private chat: the citizen it concerns, or None when the
    chat is no citizen's (nothing is stored about strangers)."""
    if status not in TELEGRAM_GONE | TELEGRAM_BACK:
        return None
    citizen_id = session.scalars(
        select(ChannelIdentity.citizen_id).where(
            ChannelIdentity.channel == Channel.TELEGRAM.value, ChannelIdentity.address == chat_id
        )
    ).first()
    if citizen_id is not None:
        learn_telegram_blocked(session, citizen_id, status in TELEGRAM_GONE)
    return citizen_id


def learn_refusal(session: Session, row: Message, code: str | None) -> None:
    """A provider refused ``row`` because the address cannot be reached: remember it for the
    citizen (``code`` is Twilio's error code; Telegram's refusal is the 403 itself)."""
    if row.channel == Channel.TELEGRAM.value:
        learn_telegram_blocked(session, row.citizen_id, True)
    elif row.channel == Channel.SMS.value and code:
        learn_twilio_error(session, row.citizen_id, code)


def other_channel(
    citizen: Citizen, identities: Iterable[ChannelIdentity], refused: Channel
) -> tuple[Channel, str] | None:
    """Where a message ``refused`` on one channel can go instead: the citizen's most recently
    seen reachable identity on another Telegram or SMS channel, else their phone."""
    newest_first = sorted(identities, key=lambda i: (i.last_seen_at, i.id or 0), reverse=True)
    for identity in newest_first:
        if identity.channel in (refused.value, Channel.WEB.value):
            continue  # a web chat key is reached only while its page is open
        try:
            channel = Channel(identity.channel)
        except ValueError:
            continue
        if reachable(citizen, channel):
            return channel, identity.address
    if refused != Channel.SMS and citizen.phone and reachable(citizen, Channel.SMS):
        return Channel.SMS, citizen.phone
    return None


def reroute(session: Session, row: Message, now: datetime) -> Message | None:
    """Queue a refused proactive message (a consultant's reply, a reminder, a notice) again on
    the citizen's other channel; the refused row stays ``failed`` and says where it went.

    A bot reply is not moved: it answers a message on its own channel.
    """
    if row.sender == Sender.BOT.value:
        return None
    citizen = session.get(Citizen, row.citizen_id)
    if citizen is None:
        return None
    target = other_channel(citizen, citizen.identities, Channel(row.channel))
    if target is None:
        return None
    moved = Message(
        conversation_id=row.conversation_id,
        citizen_id=row.citizen_id,
        direction=row.direction,
        sender=row.sender,
        channel=target[0].value,
        address=target[1],
        text=row.text,
        choices=list(row.choices or []),
        consultant_id=row.consultant_id,
        status=MessageStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(moved)
    session.flush()
    note = f"; sent again by {target[0].value} (message {moved.id})"
    row.last_error = ((row.last_error or "")[: 500 - len(note)] + note)[:500]
    log.info("outbox message %s moved to %s as %s", row.id, target[0].value, moved.id)
    return moved
