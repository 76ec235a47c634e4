"""Wiring: builds the engine, NLU, flows and dispatcher from the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.booking import BookingEffects
from bot.booking_events import BookingListeners
from bot.clock import Clock, SystemClock
from bot.config import AppConfig
from bot.db import SessionFactory, create_db_engine, create_session_factory
from bot.dispatcher import Dispatcher
from bot.effects import EffectRunner
from bot.flow_context import FlowContextLoader
from bot.workers import BackgroundWorker
from flows.content import Content
from flows.engine import FlowEngine
from nlu.types import IntentRecognizer

if TYPE_CHECKING:
    from integrations.channels import ChannelServices


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
    channels: ChannelServices | None = None

    def close(self) -> None:
        self.engine.dispose()


def build_recognizer(config: AppConfig) -> IntentRecognizer:
    """The NLU backend named by ``nlu.backend``; the embedded model is (re)trained if stale."""
    from pathlib import Path

    from nlu.embedded import EmbeddedRecognizer

    settings = config.settings
    embedded = EmbeddedRecognizer.load(
        Path(settings.nlu.model_dir),
        fallback_threshold=settings.nlu.fallback_threshold,
        timezone=settings.tz,
    )
    if settings.nlu.backend == "rasa":
        from nlu.rasa_client import RasaRecognizer

        return RasaRecognizer(
            settings.nlu.rasa_url,
            timeout_seconds=settings.nlu.rasa_timeout_seconds,
            fallback=embedded,
            timezone=settings.tz,
        )
    return embedded


def build_services(
    config: AppConfig,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    recognizer: IntentRecognizer | None = None,
) -> Services:
    settings = config.settings
    engine = engine or create_db_engine(
        config.database_url, pool_size=settings.database.pool_size, echo=settings.database.echo
    )
    session_factory = create_session_factory(engine)
    clock = clock or SystemClock()
    content = Content.load()
    recognizer = recognizer or build_recognizer(config)
    flows = FlowEngine(content)
    effects = EffectRunner()
    booking_listeners = BookingListeners()
    BookingEffects(booking_listeners, settings.reminders.policy).register(effects)
    dispatcher = Dispatcher(
        session_factory=session_factory,
        recognizer=recognizer,
        flows=flows,
        content=content,
        effects=effects,
        clock=clock,
        max_text_chars=settings.chat.max_text_chars,
        max_messages_per_minute=settings.chat.max_messages_per_minute,
        default_language=settings.locale.default_language,
        context_loader=FlowContextLoader(settings),
    )
    services = Services(
        config=config,
        engine=engine,
        session_factory=session_factory,
        clock=clock,
        content=content,
        recognizer=recognizer,
        flows=flows,
        effects=effects,
        dispatcher=dispatcher,
        booking_listeners=booking_listeners,
    )
    # Channels (integrations/channels.py): Telegram, SMS and the outbox sender as workers.
    from integrations.channels import build_channels

    services.channels = build_channels(
        config, session_factory=session_factory, dispatcher=dispatcher, content=content, clock=clock
    )
    services.workers.extend(services.channels.workers)
    return services
