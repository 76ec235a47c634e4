"""The fields of a Telegram update this bot reads, checked before python-telegram-bot sees them.

PTB's ``Update.de_json`` trusts the Bot API: a message without its chat, a text that is an
object or an id beyond any integer column reaches the handlers as it came. Every field the
handlers use is checked here (types, ranges, lengths as the Bot API documents them); fields
this bot does not read are left to PTB.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

# Telegram's ids are at most 52 significant bits; anything beyond 64 bits is no Telegram id.
TelegramId = Annotated[StrictInt, Field(ge=-(2**63), le=2**63 - 1)]
# The Bot API's limits: a message's text, a button's callback data (bytes, so chars <= 64).
MAX_TEXT_CHARS = 4096
# A longer text is still taken (a client or a Bot API server that joins parts), stored and
# answered with a request to split it; beyond this it is no message.
MAX_ACCEPTED_TEXT_CHARS = 5 * MAX_TEXT_CHARS
MAX_CALLBACK_DATA_CHARS = 64


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class UserShape(_Shape):
    id: TelegramId
    language_code: Annotated[StrictStr, Field(max_length=35)] | None = None


class ChatShape(_Shape):
    id: TelegramId
    type: Annotated[StrictStr, Field(max_length=20)]


class ContactShape(_Shape):
    phone_number: Annotated[StrictStr, Field(max_length=40)]
    user_id: TelegramId | None = None


class MessageShape(_Shape):
    message_id: TelegramId
    date: TelegramId
    chat: ChatShape
    from_: Annotated[UserShape | None, Field(alias="from")] = None
    text: Annotated[StrictStr, Field(max_length=MAX_ACCEPTED_TEXT_CHARS)] | None = None
    contact: ContactShape | None = None
    # The bot's message this one answers (Telegram's "reply"): its id is all that is read.
    reply_to_message: _RepliedTo | None = None


class _RepliedTo(_Shape):
    message_id: TelegramId
    chat: ChatShape


class ChatMemberShape(_Shape):
    status: Annotated[StrictStr, Field(max_length=20)]


class ChatMemberUpdatedShape(_Shape):
    chat: ChatShape
    date: TelegramId
    new_chat_member: ChatMemberShape


class CallbackQueryShape(_Shape):
    id: Annotated[StrictStr, Field(max_length=100)]
    from_: Annotated[UserShape, Field(alias="from")]
    message: MessageShape | None = None
    data: Annotated[StrictStr, Field(max_length=MAX_CALLBACK_DATA_CHARS)] | None = None


class UpdateShape(_Shape):
    update_id: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
    message: MessageShape | None = None
    callback_query: CallbackQueryShape | None = None
    edited_message: MessageShape | None = None
    my_chat_member: ChatMemberUpdatedShape | None = None


def is_update(data: Any) -> bool:
    """Does ``data`` (parsed JSON) have the shape of an update, in every field read here?"""
    try:
        UpdateShape.model_validate(data)
    except ValidationError:
        return False
    return True
