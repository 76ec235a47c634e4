"""The web chat: a page anyone can try the bot in, and its JSON API.

``POST /api/chat/messages`` sends a message and answers with the bot's replies;
``GET /api/chat/messages`` returns messages that arrived later (a consultant's answer).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy import or_, select

from bot.db import transaction
from bot.dispatcher import Delivery
from bot.messages import Channel, InboundMessage
from bot.models import Direction, Message, MessageStatus
from bot.services import Services

SESSION_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"

router = APIRouter()
# POST /api/chat/messages alone, included ahead of every other router (bot/app.py).
message_router = APIRouter()


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session: Annotated[StrictStr, Field(pattern=SESSION_PATTERN)]
    text: StrictStr
    # Optional client id: a retried POST with the same id is answered once.
    message_id: Annotated[StrictStr | None, Field(max_length=100)] = None


class ReplyOut(BaseModel):
    id: int
    text: str
    choices: list[str]


class ChatRepliesOut(BaseModel):
    replies: list[ReplyOut]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@message_router.post("/api/chat/messages", response_model=ChatRepliesOut)
async def post_message(body: ChatMessageIn, request: Request) -> ChatRepliesOut:
    services = _services(request)
    inbound = InboundMessage(
        channel=Channel.WEB,
        address=body.session,
        text=body.text,
        channel_message_id=f"{body.session}:{body.message_id}" if body.message_id else None,
        received_at=datetime.now(UTC),
    )
    dispatcher = services.dispatcher
    result = await dispatcher.in_thread(
        lambda: dispatcher.handle(inbound, delivery=Delivery.INLINE)
    )
    return ChatRepliesOut(
        replies=[ReplyOut(id=r.id, text=r.text, choices=list(r.choices)) for r in result.replies]
    )


@router.get("/api/chat/messages", response_model=ChatRepliesOut)
def poll_messages(
    request: Request,
    session: Annotated[str, Query(pattern=SESSION_PATTERN)],
    after: Annotated[int, Query(ge=0)] = 0,
) -> ChatRepliesOut:
    """Messages queued for this web session since ``after`` (consultant replies, notices)."""
    services = _services(request)
    now = services.clock.now()
    with transaction(services.session_factory) as db:
        rows = db.scalars(
            select(Message)
            .where(
                Message.channel == Channel.WEB.value,
                Message.address == session,
                Message.direction == Direction.OUT.value,
                # Proactive messages only: replies came back in the POST's response.
                Message.in_reply_to_id.is_(None),
                # Undelivered ones whatever their id (ids may commit out of order), and
                # delivered ones after ``after`` for a page that was reloaded.
                or_(
                    Message.status.in_([MessageStatus.QUEUED.value, MessageStatus.SENT.value]),
                    (Message.id > after) & (Message.status == MessageStatus.DELIVERED.value),
                ),
            )
            .order_by(Message.id)
            .limit(100)
        ).all()
        for row in rows:
            # The browser fetched it: for the web channel, that is delivery.
            if row.status != MessageStatus.DELIVERED:
                row.status = MessageStatus.DELIVERED.value
                row.sent_at = row.sent_at or now
                row.delivered_at = now
        replies = [ReplyOut(id=r.id, text=r.text or "", choices=list(r.choices)) for r in rows]
    return ChatRepliesOut(replies=replies)


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, lang: str = "da") -> HTMLResponse:
    services = _services(request)
    language = lang if lang in ("da", "en") else "da"
    content = services.content
    labels: dict[str, Any] = {
        key: content.text(language, f"webchat.{key}")
        for key in ("title", "intro", "placeholder", "send", "error", "you", "bot")
    }
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, "chat.html", {"labels": labels, "language": language}
    )
    return response
