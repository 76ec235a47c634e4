"""``POST /webhooks/telegram``: the updates Telegram pushes, checked against the secret token.

A call without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and nothing is stored; a
body that is not an update gets 400. An update that could not be stored raises (500), so
Telegram delivers it again.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from telegram import Update

from integrations.telegram.channel import TelegramChannel

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
        update = Update.de_json(data, telegram.transport.bot)
    except (ValueError, TypeError, KeyError) as exc:
        raise HTTPException(400, "not a Telegram update") from exc
    await telegram.inbound.handle_update(update)
    return Response(status_code=200)
