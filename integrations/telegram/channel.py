"""The Telegram channel as the app holds it: the way out, the way in and the webhook's secret."""

from __future__ import annotations

from dataclasses import dataclass

from bot.pipeline.port import InboundPipeline
from bot.runtime.config import AppConfig
from bot.store.db import SessionFactory
from flows.content import Content
from integrations.telegram.files import TelegramFiles
from integrations.telegram.mapping import TelegramInbound
from integrations.telegram.transport import TelegramTransport


@dataclass
class TelegramChannel:
    transport: TelegramTransport
    inbound: TelegramInbound
    # What Telegram must send in X-Telegram-Bot-Api-Secret-Token; unset refuses every call.
    webhook_secret: str | None

    @classmethod
    def from_config(
        cls,
        config: AppConfig,
        *,
        dispatcher: InboundPipeline,
        session_factory: SessionFactory,
        content: Content,
    ) -> TelegramChannel:
        transport = TelegramTransport(config)
        inbound = TelegramInbound(
            transport,
            dispatcher=dispatcher,
            session_factory=session_factory,
            content=content,
            default_language=config.settings.locale.default_language,
            files=TelegramFiles(config.settings.chat.attachments),
        )
        secret = config.secrets.telegram_webhook_secret
        return cls(transport, inbound, secret.get_secret_value() if secret is not None else None)
