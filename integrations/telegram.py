"""Telegram through python-telegram-bot, used as the transport only inside the one FastAPI app.

``POST /webhooks/telegram`` takes updates from Telegram (checked against
``X-Telegram-Bot-Api-Secret-Token``: a wrong or missing secret gets 403 and nothing is stored);
:class:`TelegramPoller` fetches them with getUpdates instead (``borgerchat serve
--telegram-polling``, for development without a public URL). Either way an update becomes an
:class:`InboundMessage` for the dispatcher (run in a worker thread: it is synchronous), and the
replies are queued in the outbox, which :class:`TelegramChannel` then delivers. A redelivered
update (same ``update_id``) is recognised by the dispatcher and queues nothing new.

Choices become an inline keyboard; ``/start`` (with an optional deep-link payload ``da``/``en``)
greets and offers the contact button that links the citizen's phone number, so SMS and Telegram
reach one citizen record (see ``bot/domain/identity.py``). Photos, voice messages and stickers get a
polite "I can only read text"; group chats are refused politely and left.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any

import anyio
import httpx
import typer
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram import (
    Message as TelegramMessage,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application

from bot.domain.identity import link_phone
from bot.kernel.clock import Clock
from bot.kernel.errors import ConfigError, InvalidMessage
from bot.kernel.messages import Channel, InboundMessage, OutboundMessage, Reply
from bot.pipeline.port import Delivery, InboundPipeline
from bot.runtime.config import AppConfig, load_config
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory, transaction
from bot.store.models import Citizen, Direction, Message
from flows.content import Content
from integrations.outbox import Accepted, Rejected, RetryLater, SendOutcome, Unknown

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
ALLOWED_UPDATES = ("message", "callback_query")
# A choice with this prefix is rendered as Telegram's "share my phone number" button.
CONTACT_CHOICE_PREFIX = "contact:"
_CALLBACK_DATA = re.compile(r"^c:(\d+):(\d+)$")
_START = re.compile(r"^/start(?:@\w+)?(?:\s+([A-Za-z0-9_-]{1,64}))?\s*$")
_LANGUAGES = ("da", "en")


class TelegramChannel:
    """The Telegram transport: turns updates into inbound messages and delivers the outbox."""

    channel = Channel.TELEGRAM

    def __init__(
        self,
        config: AppConfig,
        *,
        dispatcher: InboundPipeline,
        session_factory: SessionFactory,
        content: Content,
        clock: Clock,
    ) -> None:
        token = config.secrets.telegram_bot_token
        if token is None:
            raise ConfigError("TELEGRAM_BOT_TOKEN", "Telegram needs a bot token")
        settings = config.settings.telegram
        self.messages_per_second = settings.messages_per_second
        self.messages_per_address_per_second: float | None = settings.messages_per_chat_per_second
        secret = config.secrets.telegram_webhook_secret
        self.webhook_secret = secret.get_secret_value() if secret is not None else None
        self.application = (
            Application.builder()
            .token(token.get_secret_value())
            .base_url(settings.base_url)
            .base_file_url(settings.base_file_url)
            .updater(None)
            .build()
        )
        self.dispatcher = dispatcher
        self.session_factory = session_factory
        self.content = content
        self.clock = clock
        self.default_language = config.settings.locale.default_language
        # Called after replies were queued, so the outbox sender looks at once.
        self.on_enqueued: Callable[[], None] = lambda: None
        self._ready = False
        self._ready_lock = asyncio.Lock()
        # Updates answered without the database (group chats), by update_id.
        self._answered: OrderedDict[int, None] = OrderedDict()

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

    # BackgroundWorker-like lifecycle, driven by ChannelServices
    name = "telegram"

    async def start(self) -> None:
        await self.ensure_ready()

    async def stop(self) -> None:
        if self._ready:
            await self.application.shutdown()
            self._ready = False

    async def ensure_ready(self) -> bool:
        """Initialise PTB (getMe) once; a Telegram outage at start-up is retried later."""
        if self._ready:
            return True
        async with self._ready_lock:
            if not self._ready:
                try:
                    await self.application.initialize()
                    self._ready = True
                except TelegramError as exc:
                    log.warning("Telegram is not reachable yet: %s", type(exc).__name__)
        return self._ready

    # --- the outbox transport ---

    async def send(self, message: OutboundMessage) -> SendOutcome:
        await self.ensure_ready()
        try:
            sent = await self.bot.send_message(
                chat_id=int(message.address),
                text=message.text,
                reply_markup=self._markup(message),
            )
        except RetryAfter as exc:
            with warnings.catch_warnings():
                # PTB 22 warns that the type becomes timedelta; both are handled here.
                warnings.simplefilter("ignore")
                wait = exc.retry_after
            seconds = wait if isinstance(wait, int) else wait.total_seconds()
            return RetryLater("Telegram 429: flood control", float(seconds))
        except TimedOut as exc:
            if isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout):
                return RetryLater("Telegram unreachable: connect timeout")
            return Unknown("Telegram timed out after the request was sent")
        except InvalidToken:
            # A configuration fault, not the message's: keep it queued while someone fixes it.
            return RetryLater("Telegram refused the bot token", 60.0)
        except (Forbidden, BadRequest) as exc:
            return Rejected(f"Telegram refused the message: {exc.message}")
        except NetworkError as exc:
            cause = exc.__cause__
            if cause is None or isinstance(cause, httpx.ConnectError):
                # An error answer (5xx) or no connection at all: nothing was accepted.
                return RetryLater(f"Telegram error: {exc.message}")
            return Unknown(f"connection to Telegram broke: {type(cause).__name__}")
        except TelegramError as exc:
            return Rejected(f"Telegram error: {exc.message}")
        return Accepted(f"{sent.chat_id}:{sent.message_id}")

    async def verify(self, message: OutboundMessage, since: datetime) -> SendOutcome:
        # Bots cannot read back what they sent: there is no proof either way.
        return Unknown("Telegram keeps no message history for bots")

    def _markup(
        self, message: OutboundMessage
    ) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        if not message.choices:
            return None
        contact = [c for c in message.choices if c.startswith(CONTACT_CHOICE_PREFIX)]
        if contact:
            label = contact[0].removeprefix(CONTACT_CHOICE_PREFIX)
            return ReplyKeyboardMarkup(
                [[KeyboardButton(label, request_contact=True)]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(choice, callback_data=f"c:{message.id}:{index}")]
                for index, choice in enumerate(message.choices)
            ]
        )

    # --- inbound ---

    async def handle_update(self, update: Update) -> None:
        """Handle one update; raises when it could not be stored (Telegram then redelivers)."""
        if update.callback_query is not None:
            await self._handle_choice(update)
            return
        message = update.message
        if message is None:
            return  # edits, channel posts, reactions: not for this bot
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
                Channel.TELEGRAM,
                address,
                "/start",
                inbound_id,
                language_hint=hint,
            )
            await self._answer_fixed(inbound, "/start", self._welcome)
            return
        await self._dispatch(
            InboundMessage(Channel.TELEGRAM, address, text, inbound_id, language_hint=hint)
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
        result = await dispatcher.in_thread(
            lambda: dispatcher.answer_fixed(
                inbound,
                replies,
                delivery=Delivery.OUTBOX,
                stored_text=stored_text,
                on_citizen=on_citizen,
            )
        )
        if result.replies and not result.duplicate:
            self.on_enqueued()

    def _text(self, language: str, key: str) -> Reply:
        return Reply(self.content.text(language, f"channels.{key}"))

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
        if chat is None or chat.type != "private" or query.data is None:
            return
        address = str(chat.id)
        choice = await run_blocking(partial(self._choice_text, address, query.data))
        if choice is None:
            return
        await self._dispatch(
            InboundMessage(Channel.TELEGRAM, address, choice, str(update.update_id))
        )

    def _choice_text(self, address: str, data: str) -> str | None:
        match = _CALLBACK_DATA.match(data)
        if match is None:
            return None
        message_id, index = int(match.group(1)), int(match.group(2))
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
            await self.ensure_ready()
            await self.bot.send_message(chat_id=message.chat.id, text=text)
            await self.bot.leave_chat(chat_id=message.chat.id)


def _language_hint(message: TelegramMessage) -> str | None:
    code = message.from_user.language_code if message.from_user is not None else None
    language = (code or "").split("-")[0].lower()
    return language if language in _LANGUAGES else None


def _kind_of(message: TelegramMessage) -> str:
    for kind in ("photo", "voice", "sticker", "video", "audio", "document", "location"):
        if getattr(message, kind, None):
            return kind
    return "attachment"


# --- webhook -------------------------------------------------------------------------------

router = APIRouter()


def _telegram(request: Request) -> TelegramChannel:
    channels = getattr(request.app.state, "channels", None)
    telegram = channels.telegram if channels is not None else None
    if telegram is None:
        raise HTTPException(404, "Telegram is not configured")
    channel: TelegramChannel = telegram
    return channel


def secret_matches(expected: str | None, given: str | None) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


@router.post(WEBHOOK_PATH)
async def telegram_webhook(request: Request) -> Response:
    telegram = _telegram(request)
    if not secret_matches(telegram.webhook_secret, request.headers.get(SECRET_HEADER)):
        log.warning("refused a Telegram webhook call without the right secret")
        raise HTTPException(403, "wrong secret token")
    try:
        data: Any = await request.json()
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an update")
        update = Update.de_json(data, telegram.bot)
    except (ValueError, TypeError, KeyError) as exc:
        raise HTTPException(400, "not a Telegram update") from exc
    await telegram.handle_update(update)
    return Response(status_code=200)


# --- polling -------------------------------------------------------------------------------


class TelegramPoller:
    """Fetches updates with getUpdates instead of a webhook (development without a public URL)."""

    name = "telegram-poller"

    def __init__(self, telegram: TelegramChannel, *, timeout_seconds: int = 25) -> None:
        self.telegram = telegram
        self.timeout_seconds = timeout_seconds
        self._task: asyncio.Task[None] | None = None
        self._offset: int | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Telegram polling failed; retrying")
                await asyncio.sleep(2)

    async def poll_once(self) -> int:
        bot = self.telegram.bot
        if self._offset is None:
            await self.telegram.ensure_ready()
            # getUpdates is refused while a webhook is set.
            await bot.delete_webhook()
            self._offset = 0
        updates = await bot.get_updates(
            offset=self._offset,
            timeout=self.timeout_seconds,
            allowed_updates=list(ALLOWED_UPDATES),
            read_timeout=self.timeout_seconds + 10,
        )
        for update in updates:
            await self.telegram.handle_update(update)
            self._offset = update.update_id + 1
        return len(updates)


# --- CLI -----------------------------------------------------------------------------------

cli = typer.Typer(help="Telegram: webhook registration.", no_args_is_help=True)


def _bot_from_config(config: AppConfig) -> Bot:
    token = config.secrets.telegram_bot_token
    if token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "not set in the environment")
    settings = config.settings.telegram
    return Bot(
        token.get_secret_value(),
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
    )


def _run(call: Callable[[Bot], Awaitable[Any]]) -> Any:
    config = load_config()
    bot = _bot_from_config(config)

    async def main() -> Any:
        async with bot:
            return await call(bot)

    return anyio.run(main)


@cli.command("set-webhook")
def set_webhook(
    url: Annotated[
        str | None, typer.Option(help="Public webhook URL (default: server.public_url + path).")
    ] = None,
    drop_pending: Annotated[
        bool, typer.Option(help="Forget updates Telegram holds for the bot.")
    ] = False,
) -> None:
    """Register this server's webhook (with TELEGRAM_WEBHOOK_SECRET) at Telegram."""
    config = load_config()
    secret = config.secrets.telegram_webhook_secret
    if secret is None:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET", "not set in the environment")
    target = url or config.settings.server.public_url + WEBHOOK_PATH
    if not target.startswith("https://"):
        typer.echo("warning: Telegram only calls https:// webhooks", err=True)

    async def register(bot: Bot) -> Any:
        return await bot.set_webhook(
            url=target,
            secret_token=secret.get_secret_value(),
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )

    _run(register)
    typer.echo(f"webhook set: {target}")


@cli.command("delete-webhook")
def delete_webhook() -> None:
    """Remove the webhook (before polling with `serve --telegram-polling`)."""
    _run(lambda bot: bot.delete_webhook())
    typer.echo("webhook deleted")
