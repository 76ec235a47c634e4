"""Telegram updates beyond a plain new message: the bot blocked or restarted
(``my_chat_member``), a reply to one of the bot's messages (``reply_to_message``) and a text
longer than one Telegram message.

``TelegramInbound`` (``mapping.py``) calls these; each reads or writes in one short transaction.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from telegram import Message as TelegramMessage
from telegram import Update

from bot.domain.reachability import telegram_membership
from bot.kernel.messages import Channel
from bot.store.db import SessionFactory, transaction
from bot.store.models import Direction, Message
from integrations.telegram.update_shape import MAX_TEXT_CHARS

_NUMBER = re.compile(r"^\s*([0-9]{1,2})\s*[.)]?\s*$")


def record_membership(session_factory: SessionFactory, update: Update) -> int | None:
    """A ``my_chat_member`` update of a private chat: blocked (``kicked``/``left``) or back
    (``member``), remembered for the chat's citizen; the citizen's id, or None."""
    changed = update.my_chat_member
    if changed is None or changed.chat.type != "private":
        return None
    status = str(changed.new_chat_member.status)
    with transaction(session_factory) as session:
        return telegram_membership(session, str(changed.chat.id), status)


def is_too_long(text: str) -> bool:
    """More than one Telegram message holds: stored, and the citizen asked to split it."""
    return len(text) > MAX_TEXT_CHARS


def replied_choice(session_factory: SessionFactory, message: TelegramMessage) -> str | None:
    """The choice a reply to one of the bot's choice lists names ("2", or a choice's words),
    as if its button was pressed; None when it replies to nothing of ours or names no choice."""
    replied = message.reply_to_message
    text = message.text
    if replied is None or text is None:
        return None
    provider_id = f"{message.chat.id}:{replied.message_id}"
    with transaction(session_factory) as session:
        choices = session.scalars(
            select(Message.choices).where(
                Message.direction == Direction.OUT.value,
                Message.channel == Channel.TELEGRAM.value,
                Message.channel_message_id == provider_id,
            )
        ).first()
    if not choices:
        return None
    number = _NUMBER.match(text)
    if number is not None:
        index = int(number.group(1)) - 1
        return str(choices[index]) if 0 <= index < len(choices) else None
    wanted = text.strip().casefold()
    return next((str(c) for c in choices if str(c).casefold() == wanted), None)
