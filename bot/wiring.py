"""The composition root: builds the core, the channels and the one ASGI app from the
configuration. The only module of ``bot/`` (besides the CLI) that knows ``integrations/``."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timedelta
from functools import cache

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import inbox
from bot.domain import attachments, satisfaction
from bot.domain.booking import BookingEffects
from bot.domain.booking_events import BookingListeners
from bot.domain.citizen_data import PurgeReport, purge_expired
from bot.domain.effects import EffectRunner
from bot.domain.reminders.answers import ReminderAnswers, load_pending_reminder
from bot.domain.reminders.dispatch import ReminderDispatcher
from bot.domain.reminders.planning import ReminderPlanner
from bot.domain.reminders.policy import ReminderPolicy
from bot.inbox.auth import load_secret_key
from bot.kernel.clock import Clock, SystemClock
from bot.pipeline.context import FlowContextLoader
from bot.pipeline.dispatcher import Dispatcher
from bot.pipeline.port import TransportContext
from bot.runtime.config import AppConfig, Settings, load_config
from bot.services import Closable, Services
from bot.store.db import SessionFactory, create_db_engine, create_session_factory, transaction
from bot.store.live import ChangeFeed
from bot.web.app import build_app
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import PendingReminder
from integrations import webchat, webchat_live
from integrations.channels import build_channels
from integrations.scheduler import DailyJob, ReminderScheduler
from integrations.telegram import webhook as telegram_webhook
from integrations.twilio import inbound as twilio_inbound
from integrations.twilio import status as twilio_status
from nlu.types import IntentRecognizer


def build_recognizer(config: AppConfig) -> IntentRecognizer:
    """The NLU backend named by ``nlu.backend``; the embedded model is (re)trained if stale."""
    from pathlib import Path

    from nlu.concerns import ConcernReader
    from nlu.embedded import EmbeddedRecognizer

    settings = config.settings
    embedded = EmbeddedRecognizer.load(
        Path(settings.nlu.model_dir),
        fallback_threshold=settings.nlu.fallback_threshold,
        timezone=settings.tz,
    )
    if settings.nlu.backend == "rasa":
        from nlu.rasa_client import RasaRecognizer

        rasa = RasaRecognizer(
            settings.nlu.rasa_url,
            timeout_seconds=settings.nlu.rasa_timeout_seconds,
            fallback=embedded,
            timezone=settings.tz,
        )
        return ConcernReader(rasa)
    return ConcernReader(embedded)  # a letter's concerns, sentence by sentence


def run_retention_purge(
    session_factory: SessionFactory,
    clock: Clock,
    settings: Settings,
    listeners: BookingListeners | None = None,
) -> PurgeReport:
    """The daily privacy job: delete each kind of data past its period (privacy.retention)."""
    with transaction(session_factory) as session:
        return purge_expired(session, clock.now(), settings.privacy.retention, listeners)


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
    resources = ExitStack()
    if recognizer is None:
        recognizer = build_recognizer(config)
        if isinstance(recognizer, Closable):  # the Rasa client; a given recognizer is the caller's
            resources.callback(recognizer.close)
    flows = FlowEngine(content)
    effects = EffectRunner()
    booking_listeners = BookingListeners()

    def pending_reminder(
        session: Session, citizen_id: int, now: datetime, language: str, replies_to: int | None
    ) -> PendingReminder | None:
        return load_pending_reminder(
            session,
            citizen_id,
            now,
            content=content,
            language=language,
            tz=settings.tz,
            replies_to=replies_to,
        )

    context_loader = FlowContextLoader(settings, pending_reminder=pending_reminder)
    booking_listeners.add(context_loader.booking_changed)
    BookingEffects(booking_listeners, settings.reminders.policy).register(effects)

    # Reminders: re-derived on every booking change, answered in chat, sent by a scheduler.
    reminder_policy = ReminderPolicy.from_settings(settings)
    booking_listeners.add(ReminderPlanner(reminder_policy).booking_changed)
    ReminderAnswers(booking_listeners).register(effects)
    attachments.register(effects)
    satisfaction.register(effects)
    reminder_scheduler = ReminderScheduler(
        ReminderDispatcher(
            session_factory=session_factory, clock=clock, content=content, settings=settings
        ),
        interval_seconds=settings.reminders.poll_interval_seconds,
        daily_jobs=[
            DailyJob(
                "privacy_retention",
                lambda: run_retention_purge(session_factory, clock, settings, booking_listeners),
                settings.privacy.purge_at,
                settings.locale.timezone,
            )
        ],
    )

    dispatcher = Dispatcher(
        session_factory=session_factory,
        recognizer=recognizer,
        flows=flows,
        content=content,
        effects=effects,
        clock=clock,
        max_text_chars=settings.chat.max_text_chars,
        max_messages_per_minute=settings.chat.max_messages_per_minute,
        concurrency=settings.server.concurrent_messages,
        default_language=settings.locale.default_language,
        context_loader=context_loader,
        attachment_max_bytes=settings.chat.attachments.max_bytes,
    )
    resources.callback(dispatcher.close)
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
        workers=[reminder_scheduler] if settings.reminders.scheduler_enabled else [],
        resources=resources,
    )
    # Channels (integrations/channels.py): Telegram, SMS and the outbox sender as workers.
    services.channels = build_channels(
        config, session_factory=session_factory, dispatcher=dispatcher, content=content, clock=clock
    )
    services.workers.extend(services.channels.workers)
    resources.callback(services.channels.close)
    # Last, so the feed detaches from the engine first and stops before the pool is disposed.
    services.live = ChangeFeed(engine, poll_seconds=settings.webchat.live_poll_seconds)
    services.workers.append(services.live)
    resources.callback(services.live.close)
    return services


def create_app(services: Services) -> FastAPI:
    """The one ASGI app: web chat, webhooks, consultant inbox and health checks."""
    app = build_app(
        services,
        # The two endpoints every citizen message takes, ahead of all other routes: routes are
        # tried in order, and each router passed on the way costs a message CPU.
        message_routers=[webchat.message_router, twilio_inbound.message_router],
        routers=[
            webchat.router,
            webchat_live.router,
            telegram_webhook.router,
            twilio_status.router,
            inbox.router,
        ],
    )
    app.state.transport = TransportContext(
        pipeline=services.dispatcher,
        session_factory=services.session_factory,
        clock=services.clock,
    )
    app.state.channels = services.channels
    app.state.webchat = webchat.WebChatOptions(
        session_idle=timedelta(minutes=services.config.settings.webchat.session_idle_minutes)
    )
    # The live web chat (integrations/webchat_live.py): commits across processes, and the key
    # its stream tokens are signed with (the inbox's, so every process shares it).
    app.state.live = services.live
    app.state.webchat_events_key = cache(lambda: load_secret_key(services.config))
    return app


def create_app_from_environment() -> FastAPI:
    """App factory for ``uvicorn --factory`` (``borgerchat serve --workers N``): each worker
    process reads the configuration and builds its own services."""
    return create_app(build_services(load_config()))
