"""Telegram's way in: one ``Update`` becomes an :class:`InboundMessage` for the pipeline.

The webhook and the poller both hand their updates to :meth:`TelegramInbound.handle_update`.
The pipeline runs in a worker thread (it is synchronous) and queues the replies in the outbox; a
redelivered update (same ``update_id``) is recognised there and queues nothing new.

A pressed button's callback data names the outbound message and the choice's index, so the
choice's text is looked up in the stored message. ``/start`` (with an optional deep-link payload
``da``/``en``) greets and offers the contact button; a shared contact that is the citizen's own
links their phone number, so SMS and Telegram reach one citizen record (see
``bot/domain/identity.py``). Photos, documents, voice messages, videos and audio are fetched
(:mod:`integrations.telegram.files`) and handed on with their caption as the text; stickers and
locations get a polite "I can only read text"; group chats are refused politely and left.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import Message as TelegramMessage
from telegram import Update
from telegram.error import TelegramError

from bot.domain.identity import link_phone
from bot.kernel.bounds import row_id
from bot.kernel.cpr import mask_cpr
from bot.kernel.errors import InvalidMessage
from bot.kernel.messages import Channel, InboundMessage, Reply
from bot.kernel.text import clean_text
from bot.pipeline.port import Delivery, InboundPipeline
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory, transaction
from bot.store.models import Citizen, Direction, Message
from flows.content import Content
from integrations.telegram.chat_events import RepliedTo, is_too_long, record_membership, replied_to
from integrations.telegram.files import TelegramFiles, has_file
from integrations.telegram.transport import CONTACT_CHOICE_PREFIX, TelegramTransport

log = logging.getLogger(__name__)

# The update types handled here: what the webhook and the poller ask Telegram for.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
_CALLBACK_DATA = re.compile(r"^c:([0-9]{1,10}):([0-9]{1,3})$")
_START = re.compile(r"^/start(?:@\w+)?(?:\s+([A-Za-z0-9_-]{1,64}))?\s*$")
_LANGUAGES = ("da", "en")


class TelegramInbound:
    """Maps updates to inbound messages and hands them to the pipeline."""

    def __init__(
        self,
        transport: TelegramTransport,
        *,
        dispatcher: InboundPipeline,
        session_factory: SessionFactory,
        content: Content,
        default_language: str,
        files: TelegramFiles | None = None,
    ) -> None:
        self.transport = transport
        # Fetches photos, documents and voice messages; without it they get "only text".
        self.files = files
        self.dispatcher = dispatcher
        self.session_factory = session_factory
        self.content = content
        self.default_language = default_language
        # Called after replies were queued, so the outbox sender looks at once.
        self.on_enqueued: Callable[[], None] = lambda: None
        # Updates answered without the database (group chats), by update_id.
        self._answered: OrderedDict[int, None] = OrderedDict()

    async def handle_update(self, update: Update) -> None:
        """Handle one update; raises when it could not be stored (Telegram then redelivers)."""
        if update.callback_query is not None:
            await self._handle_choice(update)
            return
        if update.my_chat_member is not None:
            await run_blocking(lambda: record_membership(self.session_factory, update))
            return
        message = update.message or update.edited_message
        if message is None:
            return  # channel posts, reactions: not for this bot
        edited = update.message is None
        if message.chat.type != "private":
            await self._refuse_group(update, message)
            return
        hint = _language_hint(message)
        address = str(message.chat.id)
        inbound_id = str(update.update_id)
        if message.contact is not None:
            await self._handle_contact(update, message, hint)
            return
        text = message.text
        if text is None and self.files is not None and has_file(message):
            ready = await self.transport.ensure_ready()
            attachments = await self.files.fetch(self.transport.bot, message, reachable=ready)
            caption = message.caption or ""
            await self._dispatch(
                InboundMessage(
                    Channel.TELEGRAM, address, caption, inbound_id, hint, attachments=attachments
                )
            )
            return
        if text is None:
            kind = _kind_of(message)
            inbound = InboundMessage(Channel.TELEGRAM, address, "", inbound_id, language_hint=hint)
            await self._answer_fixed(
                inbound, f"[{kind}]", lambda lang: [self._text(lang, "only_text")]
            )
            return
        start = _START.match(text.strip())
        if start is not None:
            payload = start.group(1)
            if payload in _LANGUAGES:
                hint = payload
            inbound = InboundMessage(
                Channel.TELEGRAM, address, "/start", inbound_id, language_hint=hint
            )
            await self._answer_fixed(inbound, "/start", self._welcome)
            return
        if is_too_long(text):
            inbound = InboundMessage(Channel.TELEGRAM, address, "", inbound_id, language_hint=hint)
            stored = mask_cpr(clean_text(text, max_chars=len(text))).text
            await self._answer_fixed(inbound, stored, lambda lang: [self._reach(lang, "too_long")])
            return
        replied = RepliedTo()
        if message.reply_to_message is not None:
            replied = await run_blocking(lambda: replied_to(self.session_factory, message))
        await self._dispatch(
            InboundMessage(
                Channel.TELEGRAM,
                address,
                replied.choice or text,
                inbound_id,
                language_hint=hint,
                edited=edited,
                replies_to=replied.message_id,
            )
        )

    async def _dispatch(self, inbound: InboundMessage) -> None:
        try:
            dispatcher = self.dispatcher
            result = await dispatcher.in_thread(
                lambda: dispatcher.handle(inbound, delivery=Delivery.OUTBOX)
            )
        except InvalidMessage as exc:
            log.info("Telegram update %s refused: %s", inbound.channel_message_id, exc.code)
            return
        if result.replies and not result.duplicate:
            self.on_enqueued()

    async def _answer_fixed(
        self,
        inbound: InboundMessage,
        stored_text: str,
        replies: Callable[[str], list[Reply]],
        on_citizen: Callable[[Session, Citizen, datetime], Citizen] | None = None,
    ) -> None:
        dispatcher = self.dispatcher
        try:
            result = await dispatcher.in_thread(
                lambda: dispatcher.answer_fixed(
                    inbound,
                    replies,
                    delivery=Delivery.OUTBOX,
                    stored_text=stored_text,
                    on_citizen=on_citizen,
                )
            )
        except InvalidMessage as exc:
            log.info("Telegram update %s refused: %s", inbound.channel_message_id, exc.code)
            return
        if result.replies and not result.duplicate:
            self.on_enqueued()

    def _text(self, language: str, key: str) -> Reply:
        return Reply(self.content.text(language, f"channels.{key}"))

    def _reach(self, language: str, key: str) -> Reply:
        return Reply(self.content.text(language, f"reach.{key}"))

    def _welcome(self, language: str) -> list[Reply]:
        choices = tuple(self.content.raw(language, "core.greeting_choices"))
        button = self.content.text(language, "channels.share_phone_button")
        return [
            Reply(self.content.text(language, "core.greeting"), choices),
            Reply(
                self.content.text(language, "channels.share_phone_prompt"),
                (CONTACT_CHOICE_PREFIX + button,),
            ),
        ]

    async def _handle_contact(
        self, update: Update, message: TelegramMessage, hint: str | None
    ) -> None:
        contact = message.contact
        assert contact is not None
        address = str(message.chat.id)
        inbound = InboundMessage(
            Channel.TELEGRAM, address, "", str(update.update_id), language_hint=hint
        )
        own = (
            message.from_user is not None
            and contact.user_id is not None
            and contact.user_id == message.from_user.id
        )
        if not own:
            await self._answer_fixed(
                inbound, "[contact]", lambda lang: [self._text(lang, "contact_not_own")]
            )
            return
        phone = contact.phone_number

        def link(session: Session, citizen: Citizen, now: datetime) -> Citizen:
            try:
                return link_phone(session, citizen, phone, now)
            except ValueError:
                return citizen

        await self._answer_fixed(
            inbound, "[contact]", lambda lang: [self._text(lang, "contact_linked")], link
        )

    async def _handle_choice(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        with contextlib.suppress(TelegramError):
            await query.answer()  # stops the button's spinner; harmless if it fails
        chat = query.message.chat if query.message is not None else None
        data = query.data
        if chat is None or chat.type != "private" or data is None:
            return
        address = str(chat.id)
        choice = await run_blocking(lambda: self._choice_text(address, data))
        if choice is None:
            return
        await self._dispatch(
            InboundMessage(Channel.TELEGRAM, address, choice, str(update.update_id))
        )

    def _choice_text(self, address: str, data: str) -> str | None:
        match = _CALLBACK_DATA.match(data)
        if match is None:
            return None
        message_id, index = row_id(match.group(1)), int(match.group(2))
        if message_id is None:
            return None  # no message of ours has that id
        with transaction(self.session_factory) as session:
            row = session.scalars(
                select(Message).where(
                    Message.id == message_id,
                    Message.channel == Channel.TELEGRAM.value,
                    Message.direction == Direction.OUT.value,
                    Message.address == address,
                )
            ).first()
            choices = list(row.choices or []) if row is not None else []
        return str(choices[index]) if index < len(choices) else None

    async def _refuse_group(self, update: Update, message: TelegramMessage) -> None:
        if update.update_id in self._answered:
            return
        self._answered[update.update_id] = None
        while len(self._answered) > 1000:
            self._answered.popitem(last=False)
        language = _language_hint(message) or self.default_language
        text = self.content.text(language, "channels.group_refused")
        # Nothing about a group is stored: no citizen, so the reply goes out directly.
        with contextlib.suppress(TelegramError):
            await self.transport.ensure_ready()
            bot = self.transport.bot
            await bot.send_message(chat_id=message.chat.id, text=text)
            await bot.leave_chat(chat_id=message.chat.id)


def _language_hint(message: TelegramMessage) -> str | None:
    code = message.from_user.language_code if message.from_user is not None else None
    language = (code or "").split("-")[0].lower()
    return language if language in _LANGUAGES else None


def _kind_of(message: TelegramMessage) -> str:
    for kind in ("photo", "voice", "sticker", "video", "audio", "document", "location"):
        if getattr(message, kind, None):
            return kind
    return "attachment"
