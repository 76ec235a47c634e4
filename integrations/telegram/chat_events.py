"""Telegram updates beyond a plain new message: the bot blocked or restarted
(``my_chat_member``), a reply to one of the bot's messages (``reply_to_message``) and a text
longer than one Telegram message.

``TelegramInbound`` (``mapping.py``) calls these; each reads or writes in one short transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class RepliedTo:
    """Our message a citizen's reply answers, and the choice of it they named, if any."""

    message_id: int | None = None
    choice: str | None = None


def replied_to(session_factory: SessionFactory, message: TelegramMessage) -> RepliedTo:
    """Which of our messages a reply answers (a reminder it answers is found by its id), and
    the choice it names when that message offered choices ("2", or a choice's words), read as
    if its button was pressed."""
    replied = message.reply_to_message
    text = message.text
    if replied is None or text is None:
        return RepliedTo()
    provider_id = f"{message.chat.id}:{replied.message_id}"
    with transaction(session_factory) as session:
        row = session.execute(
            select(Message.id, Message.choices).where(
                Message.direction == Direction.OUT.value,
                Message.channel == Channel.TELEGRAM.value,
                Message.channel_message_id == provider_id,
            )
        ).first()
    if row is None:
        return RepliedTo()
    return RepliedTo(row.id, _choice(text, list(row.choices or [])))


def _choice(text: str, choices: list[str]) -> str | None:
    if not choices:
        return None
    number = _NUMBER.match(text)
    if number is not None:
        index = int(number.group(1)) - 1
        return str(choices[index]) if 0 <= index < len(choices) else None
    wanted = text.strip().casefold()
    return next((str(c) for c in choices if str(c).casefold() == wanted), None)
