"""``POST /webhooks/telegram``: the updates Telegram pushes, checked against the secret token.

A call without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and nothing is stored; a
body that is not an update (in every field the bot reads: ``update_shape.py``), or JSON nested
too deep, gets 400. An update that could not be stored raises (500), so
Telegram delivers it again.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from telegram import Update

from bot.kernel.bounds import load_json
from bot.runtime.error_answers import documented_errors
from integrations.telegram.channel import TelegramChannel
from integrations.telegram.update_shape import is_update

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)

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


@router.post(WEBHOOK_PATH, responses=documented_errors(400, 403, 404, 413))
async def telegram_webhook(request: Request) -> Response:
    telegram = _telegram(request)
    if not secret_matches(telegram.webhook_secret, request.headers.get(SECRET_HEADER)):
        log.warning("refused a Telegram webhook call without the right secret")
        raise HTTPException(403, "wrong secret token")
    try:
        data: Any = load_json(await request.body())  # nesting bounded before it is parsed
        if not is_update(data):
            raise ValueError("not an update")
        update = Update.de_json(data, telegram.transport.bot)
    except (ValueError, TypeError, KeyError) as exc:
        raise HTTPException(400, "not a Telegram update") from exc
    await telegram.inbound.handle_update(update)
    return Response(status_code=200)
