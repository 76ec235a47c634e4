"""The web chat transport: its JSON API (the page is ``bot/web/chat_page.py``).

``POST /api/chat/messages`` sends a message and answers with the bot's replies;
``GET /api/chat/messages`` returns messages that arrived later (a consultant's answer);
``POST /api/chat/session/end`` ends the session ("Afslut samtale").

The session key is the citizen's only credential: it ends after ``webchat.session_idle_minutes``
unused, or when the citizen ends it (``bot/domain/web_sessions.py``). An ended key is answered
410 ``session_ended``, with a fresh key to start over, and nothing of its conversation again.
"""

from __future__ import annotations

import email.message
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import pydantic_core
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from sqlalchemy import Engine, or_, select

from bot.domain.web_sessions import (
    SessionState,
    admit_message,
    end_session,
    poll_state,
    record_poll,
    session_citizen,
)
from bot.kernel.bounds import CHANNEL_MESSAGE_ID_MAX_CHARS, RowIdOrZero, load_json
from bot.kernel.messages import Channel, InboundMessage, OutboundMessage
from bot.pipeline.port import Delivery, DispatchResult, TransportContext
from bot.runtime.error_answers import documented_errors
from bot.store.db import transaction
from bot.store.models import Direction, Message, MessageStatus
from integrations.direct_route import DirectRoute

SESSION_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"
CHAT_MESSAGES_PATH = "/api/chat/messages"
END_SESSION_PATH = "/api/chat/session/end"

router = APIRouter()
# POST /api/chat/messages alone, included ahead of every other router (bot/web/app.py).
message_router = APIRouter(route_class=DirectRoute)


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session: Annotated[StrictStr, Field(pattern=SESSION_PATTERN)]
    # Longer than chat.max_text_chars, or blank, is refused with 422 (invalid_request).
    text: Annotated[StrictStr, Field(min_length=1)]
    # Optional client id: a retried POST with the same id is answered once.
    message_id: Annotated[StrictStr | None, Field(max_length=CHANNEL_MESSAGE_ID_MAX_CHARS)] = None


class ChatSessionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session: Annotated[StrictStr, Field(pattern=SESSION_PATTERN)]


class SessionEndedOut(BaseModel):
    ended: bool


@dataclass(frozen=True, slots=True)
class WebChatOptions:
    """The web chat's settings; the app keeps them in ``app.state.webchat``."""

    session_idle: timedelta = timedelta(minutes=30)


class ReplyOut(BaseModel):
    id: int
    text: str
    choices: list[str]
    # Who wrote it: "bot" (the chatbot, also its notices) or "consultant" (a person).
    sender: str = "bot"


class ChatRepliesOut(BaseModel):
    replies: list[ReplyOut]


def _transport(request: Request) -> TransportContext:
    transport: TransportContext = request.app.state.transport
    return transport


def _idle(request: Request) -> timedelta:
    options: WebChatOptions = getattr(request.app.state, "webchat", WebChatOptions())
    return options.session_idle


SESSION_ENDED_RESPONSE: dict[int | str, dict[str, Any]] = {
    410: {"description": "The session ended (idle or ended by the citizen): start a new one"}
}


def session_ended() -> JSONResponse:
    """The answer to an ended key: nothing of its conversation, and a fresh key to go on with."""
    return JSONResponse(
        {
            "error": {
                "code": "session_ended",
                "message": "This chat has ended. Start a new one with the session given.",
            },
            "session": secrets.token_hex(16),
        },
        status_code=410,
    )


def read_chat_message(body: bytes, content_type: str | None) -> ChatMessageIn:
    """The POST body, read and validated as FastAPI does for a ``ChatMessageIn`` parameter,
    with the same errors (answered by bot/web/http_errors.py), without FastAPI's per-request
    machinery around it.

    Raises:
        RequestValidationError: no body, not JSON, or not a valid ``ChatMessageIn``.
        HTTPException: 400, a body Python's JSON parser fails on otherwise (not UTF-8,
            nested too deep: checked before parsing).
    """
    if not body:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    value: Any = body  # without a JSON content type FastAPI validates the bytes (and refuses)
    if content_type == "application/json" or _is_json(content_type):
        try:
            value = load_json(body)
        except json.JSONDecodeError as exc:
            raise RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body", exc.pos),
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": exc.msg},
                    }
                ]
            ) from exc
        except Exception as exc:
            raise HTTPException(400, "There was an error parsing the body") from exc
    try:
        # As FastAPI validates a body parameter (from_attributes changes the messages).
        return ChatMessageIn.model_validate(value, from_attributes=True)
    except ValidationError as exc:
        errors = [
            {**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)
        ]
        raise RequestValidationError(errors) from exc


def _is_json(content_type: str | None) -> bool:
    """FastAPI's test for a JSON body: application/json or application/*+json."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def web_message_key(session: str, message_id: str | None) -> str | None:
    """The stored transport id of a web message: the client's id within its session.

    Client ids are unique per session only, so the key names both; hashed, it fits the column
    whatever the lengths of the two (up to 128 and 100 characters).
    """
    if not message_id:
        return None
    return hashlib.sha256(f"{session}\n{message_id}".encode()).hexdigest()


def replies_json(replies: Sequence[OutboundMessage]) -> bytes:
    """``ChatRepliesOut`` as JSON, byte for byte what its response model gave, without building
    the models (pydantic's own encoder, on plain data)."""
    return pydantic_core.to_json(
        {
            "replies": [
                {"id": r.id, "text": r.text, "choices": list(r.choices), "sender": "bot"}
                for r in replies
            ]
        }
    )


@message_router.post(
    CHAT_MESSAGES_PATH,
    response_model=ChatRepliesOut,
    responses={**documented_errors(400, 413, 422), **SESSION_ENDED_RESPONSE},
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": ChatMessageIn.model_json_schema()}},
            "required": True,
        }
    },
)
async def post_message(request: Request) -> Response:
    body = read_chat_message(await request.body(), request.headers.get("content-type"))
    transport = _transport(request)
    inbound = InboundMessage(
        channel=Channel.WEB,
        address=body.session,
        text=body.text,
        channel_message_id=web_message_key(body.session, body.message_id),
    )
    dispatcher = transport.pipeline
    idle = _idle(request)

    engine: Engine = transport.session_factory.kw["bind"]

    def admit_and_handle() -> DispatchResult | None:
        # A connection of its own, not an ORM session: this runs for every message.
        with engine.begin() as connection:
            if not admit_message(connection, body.session, transport.clock.now(), idle):
                return None
        return dispatcher.handle(inbound, delivery=Delivery.INLINE)

    result = await dispatcher.in_thread(admit_and_handle)
    if result is None:
        return session_ended()
    return Response(replies_json(result.replies), media_type="application/json")


@router.get(
    CHAT_MESSAGES_PATH,
    response_model=ChatRepliesOut,
    responses={**documented_errors(422), **SESSION_ENDED_RESPONSE},
)
def poll_messages(
    request: Request,
    session: Annotated[str, Query(pattern=SESSION_PATTERN)],
    after: Annotated[RowIdOrZero, Query()] = 0,
) -> ChatRepliesOut | JSONResponse:
    """Messages queued for this web session since ``after`` (consultant replies, notices)."""
    state, replies = take_later_messages(_transport(request), session, after, _idle(request))
    if state == SessionState.ENDED:
        return session_ended()
    return ChatRepliesOut(replies=replies)


def take_later_messages(
    transport: TransportContext, session: str, after: int, idle: timedelta
) -> tuple[SessionState, list[ReplyOut]]:
    """The proactive messages for ``session`` not yet on its page, marked delivered (the page
    fetched them); the poll and the live stream (``integrations/webchat_live.py``) share it."""
    now = transport.clock.now()
    with transaction(transport.session_factory) as db:
        connection = db.connection()
        state = poll_state(connection, session, now, idle)
        citizen_id = session_citizen(connection, session) if state == SessionState.LIVE else None
        if citizen_id is None:
            return (SessionState.ENDED if state == SessionState.ENDED else state), []
        rows = db.scalars(
            select(Message)
            .where(
                Message.channel == Channel.WEB.value,
                Message.address == session,
                # The citizen the key names now: never an earlier holder's messages.
                Message.citizen_id == citizen_id,
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
        db.flush()
        record_poll(connection, session, now, delivered=bool(rows))
        replies = [
            ReplyOut(id=r.id, text=r.text or "", choices=list(r.choices), sender=r.sender)
            for r in rows
        ]
    return state, replies


@router.post(
    END_SESSION_PATH, response_model=SessionEndedOut, responses=documented_errors(400, 413, 422)
)
def end_chat_session(request: Request, body: ChatSessionIn) -> SessionEndedOut:
    """End the session for good ("Afslut samtale"): the key gets nothing of it again."""
    transport = _transport(request)
    with transaction(transport.session_factory) as db:
        end_session(db.connection(), body.session, transport.clock.now())
    return SessionEndedOut(ended=True)
