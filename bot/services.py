"""The running core's parts, as the web routes and commands see them (built by ``bot.wiring``)."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine

from bot.domain.booking_events import BookingListeners
from bot.domain.effects import EffectRunner
from bot.kernel.clock import Clock
from bot.pipeline.dispatcher import Dispatcher
from bot.runtime.config import AppConfig
from bot.runtime.workers import BackgroundWorker
from bot.store.db import SessionFactory
from bot.store.live import ChangeFeed
from flows.content import Content
from flows.engine import FlowEngine
from nlu.types import IntentRecognizer


class Channels(Protocol):
    """The configured transports and their outbox sender (``integrations.channels``)."""

    workers: list[BackgroundWorker]

    @property
    def has_telegram(self) -> bool: ...

    def add_telegram_polling(self) -> BackgroundWorker: ...

    def close(self) -> None: ...


@runtime_checkable
class Closable(Protocol):
    def close(self) -> None: ...


@dataclass
class Services:
    config: AppConfig
    engine: Engine
    session_factory: SessionFactory
    clock: Clock
    content: Content
    recognizer: IntentRecognizer
    flows: FlowEngine
    effects: EffectRunner
    dispatcher: Dispatcher
    booking_listeners: BookingListeners
    # Started by the web app's lifespan; empty for the CLI chat and most tests.
    workers: list[BackgroundWorker] = field(default_factory=list)
    # Telegram, SMS and the outbox sender, when their secrets are configured.
    channels: Channels | None = None
    # What build_services opened besides the engine (the Rasa client, Twilio's HTTP session).
    resources: ExitStack = field(default_factory=ExitStack)
    # Commits seen across server processes, for the live pages (Server-Sent Events).
    live: ChangeFeed | None = None

    def close(self) -> None:
        """Close the clients the services opened, then the connection pool; a second call does
        nothing more."""
        try:
            self.resources.close()
        finally:
            self.engine.dispose()
