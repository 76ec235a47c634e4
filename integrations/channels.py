"""Wiring of the Telegram and SMS channels and the outbox sender, from the configuration.

A channel is switched on by its secrets: Telegram by ``TELEGRAM_BOT_TOKEN``, SMS by
``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN`` and ``TWILIO_FROM_NUMBER``. The outbox sender runs
when at least one is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.clock import Clock
from bot.pipeline.port import InboundPipeline
from bot.runtime.config import AppConfig
from bot.runtime.workers import BackgroundWorker
from bot.store.db import SessionFactory
from flows.content import Content
from integrations.outbox.outcomes import OutboxTransport
from integrations.outbox.sender import OutboxSender
from integrations.telegram.channel import TelegramChannel
from integrations.telegram.polling import TelegramPolling
from integrations.twilio.outbound import SmsChannel


@dataclass
class ChannelServices:
    telegram: TelegramChannel | None = None
    sms: SmsChannel | None = None
    outbox: OutboxSender | None = None
    workers: list[BackgroundWorker] = field(default_factory=list)

    @property
    def has_telegram(self) -> bool:
        return self.telegram is not None

    def add_telegram_polling(self) -> TelegramPolling:
        """Fetch Telegram updates by polling instead of the webhook (development)."""
        if self.telegram is None:
            raise RuntimeError("Telegram is not configured (TELEGRAM_BOT_TOKEN)")
        return TelegramPolling(self.telegram)

    def close(self) -> None:
        """Close the HTTP clients the channels hold outside a worker's lifecycle (Telegram's
        own is shut down when its worker stops)."""
        if self.sms is not None:
            self.sms.close()


def build_channels(
    config: AppConfig,
    *,
    session_factory: SessionFactory,
    dispatcher: InboundPipeline,
    content: Content,
    clock: Clock,
) -> ChannelServices:
    secrets = config.secrets
    channels = ChannelServices()
    transports: list[OutboxTransport] = []
    if secrets.telegram_bot_token is not None:
        channels.telegram = TelegramChannel.from_config(
            config, dispatcher=dispatcher, session_factory=session_factory, content=content
        )
        transports.append(channels.telegram.transport)
        channels.workers.append(channels.telegram.transport)
    if secrets.twilio_account_sid and secrets.twilio_auth_token and secrets.twilio_from_number:
        channels.sms = SmsChannel(config, session_factory=session_factory, clock=clock)
        transports.append(channels.sms)
    if transports:
        channels.outbox = OutboxSender(
            session_factory=session_factory,
            clock=clock,
            settings=config.settings.outbox,
            transports=transports,
        )
        channels.workers.append(channels.outbox)
        if channels.telegram is not None:
            channels.telegram.inbound.on_enqueued = channels.outbox.wake
    return channels
