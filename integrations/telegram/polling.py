"""Updates fetched with getUpdates instead of the webhook (``borgerchat serve --telegram-polling``,
for development without a public URL), through python-telegram-bot's own ``Updater``.

The Updater deletes any webhook first (Telegram refuses getUpdates while one is set), long-polls
for the update types the inbound mapping handles, and confirms what it fetched with the next
call's offset. The ``Application`` then hands each update, one at a time and in order, to the
same :meth:`TelegramInbound.handle_update` the webhook uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from integrations.telegram.channel import TelegramChannel
from integrations.telegram.mapping import ALLOWED_UPDATES

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0


class TelegramPolling:
    """A background worker: PTB's Updater polling while the app runs."""

    name = "telegram-polling"

    def __init__(self, telegram: TelegramChannel, *, timeout_seconds: int = 25) -> None:
        self.transport = telegram.transport
        self.inbound = telegram.inbound
        self.timeout_seconds = timeout_seconds
        self._stopping = asyncio.Event()
        self._starting: asyncio.Task[None] | None = None
        self.transport.application.add_handler(TypeHandler(Update, self._on_update))

    async def start(self) -> None:
        # In the background: the app serves while Telegram is unreachable.
        self._stopping.clear()
        self._starting = asyncio.create_task(self._start_polling(), name=self.name)

    async def stop(self) -> None:
        self._stopping.set()
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
            self._starting = None
        application = self.transport.application
        # The Updater's last getUpdates confirms what it fetched; the Application then
        # handles the updates still queued before it stops.
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()

    async def _start_polling(self) -> None:
        application = self.transport.application
        updater = application.updater
        assert updater is not None
        while True:
            try:
                if await self.transport.ensure_ready():
                    if not application.running:
                        await application.start()
                    await updater.start_polling(
                        timeout=self.timeout_seconds,
                        allowed_updates=ALLOWED_UPDATES,
                        bootstrap_retries=-1,
                    )
                    return
            except Exception:
                log.exception("Telegram polling could not start; retrying")
            await asyncio.sleep(RETRY_SECONDS)

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        # The Updater has confirmed the update already: one that could not be stored is tried
        # again here (as Telegram redelivers to the webhook), holding back the later ones.
        while True:
            try:
                await self.inbound.handle_update(update)
                return
            except Exception:
                log.exception("Telegram update %s could not be handled; retrying", update.update_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), RETRY_SECONDS)
                return
