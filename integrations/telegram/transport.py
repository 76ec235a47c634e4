"""Telegram's way out: python-telegram-bot's ``Bot`` as the outbox's transport.

:class:`TelegramTransport` owns the PTB ``Application`` (and so the ``Bot`` and its HTTP
clients) for the process. It delivers outbox messages with sendMessage and classifies every
failure as an outbox outcome: flood control and outages are tried again, refusals are final, and
a request that broke after it was sent is unknown. A reply's choices become an inline keyboard,
or Telegram's "share my phone number" button for a contact choice.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import datetime

import httpx
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
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

from bot.kernel.errors import ConfigError
from bot.kernel.messages import Channel, OutboundMessage
from bot.runtime.config import AppConfig
from integrations.outbox.outcomes import Accepted, Rejected, RetryLater, SendOutcome, Unknown

log = logging.getLogger(__name__)

# A choice with this prefix is rendered as Telegram's "share my phone number" button.
CONTACT_CHOICE_PREFIX = "contact:"


class TelegramTransport:
    """Delivers the outbox through the Bot API; a background worker for PTB's lifecycle."""

    channel = Channel.TELEGRAM
    name = "telegram"

    def __init__(self, config: AppConfig) -> None:
        token = config.secrets.telegram_bot_token
        if token is None:
            raise ConfigError("TELEGRAM_BOT_TOKEN", "Telegram needs a bot token")
        settings = config.settings.telegram
        self.messages_per_second = settings.messages_per_second
        self.messages_per_address_per_second: float | None = settings.messages_per_chat_per_second
        # With PTB's Updater: `serve --telegram-polling` fetches updates through it.
        self.application = (
            Application.builder()
            .token(token.get_secret_value())
            .base_url(settings.base_url)
            .base_file_url(settings.base_file_url)
            .build()
        )
        self._ready = False
        self._ready_lock = asyncio.Lock()

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

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

    async def send(self, message: OutboundMessage) -> SendOutcome:
        await self.ensure_ready()
        try:
            sent = await self.bot.send_message(
                chat_id=int(message.address),
                text=message.text,
                reply_markup=_markup(message),
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
        except Forbidden as exc:
            # Blocked by the user (or never started): remembered, and proactive messages go by
            # the citizen's other channel.
            return Rejected(f"Telegram refused the message: {exc.message}", unreachable="403")
        except BadRequest as exc:
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


def _markup(message: OutboundMessage) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
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
    # A button sends back the outbound message's id and the choice's index (see mapping.py).
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(choice, callback_data=f"c:{message.id}:{index}")]
            for index, choice in enumerate(message.choices)
        ]
    )
