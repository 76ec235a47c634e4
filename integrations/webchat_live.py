"""The web chat, live and kept: a Server-Sent Events stream of later messages (a consultant's
answer), and the conversation so far for a page that was reloaded.

``POST /api/chat/later`` is the poll (``GET /api/chat/messages``) with the key in the body.
``POST /api/chat/history`` answers the messages, both ways, of the citizen a live key names.
``POST /api/chat/events-token`` gives a token for ``GET /api/chat/events?token=...``, the
stream. EventSource cannot send a header or a body, and the session key must never be in a URL
(URLs end up in logs and proxies): the token names the session's row, not its key, is signed
with the server's secret key (so any server process can check it) and opens a stream only within
``TOKEN_SECONDS``. The stream then lives as long as the session does; it is checked on every
change and at least every ``REFRESH_SECONDS``. An ended session gets an ``ended`` event with a
fresh key, as the poll's 410 does. The page polls as before where EventSource fails.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from sse_starlette import EventSourceResponse

from bot.domain.web_sessions import SESSIONS, SessionState, poll_state, session_citizen
from bot.kernel.bounds import RowIdOrZero
from bot.kernel.messages import Channel
from bot.pipeline.port import TransportContext
from bot.runtime.error_answers import documented_errors
from bot.store.db import transaction
from bot.store.live import ChangeFeed
from bot.store.models import Message, Sender
from integrations.webchat import (
    SESSION_ENDED_RESPONSE,
    ChatRepliesOut,
    ChatSessionIn,
    ReplyOut,
    _idle,
    _transport,
    session_ended,
    take_later_messages,
)

router = APIRouter()

TOKEN_SECONDS = 60
REFRESH_SECONDS = 5.0
SETTLE_SECONDS = 0.02
HISTORY_LIMIT = 300


class EventsTokenOut(BaseModel):
    # None for a key not used yet: nothing can arrive for it before its first message.
    token: str | None


class HistoryOut(BaseModel):
    messages: list[ReplyOut]


class ChatLaterIn(ChatSessionIn):
    after: RowIdOrZero = 0


def _key(request: Request) -> bytes:
    key: Callable[[], bytes] = request.app.state.webchat_events_key
    return key()


def _signature(key: bytes, row_id: int, expires: int) -> str:
    message = f"webchat-events:{row_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def make_token(key: bytes, row_id: int, now: float) -> str:
    expires = int(now) + TOKEN_SECONDS
    return f"{row_id}.{expires}.{_signature(key, row_id, expires)}"


def read_token(key: bytes, token: str, now: float) -> int | None:
    """The session row a valid, unexpired token names."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    row_id, expires = int(parts[0]), int(parts[1])
    if expires < now or not hmac.compare_digest(parts[2], _signature(key, row_id, expires)):
        return None
    return row_id


def _row_id(transport: TransportContext, session: str) -> int | None:
    with transaction(transport.session_factory) as db:
        found: int | None = db.scalar(select(SESSIONS.c.id).where(SESSIONS.c.key == session))
        return found


def _session_key(transport: TransportContext, row_id: int) -> str | None:
    with transaction(transport.session_factory) as db:
        found: str | None = db.scalar(select(SESSIONS.c.key).where(SESSIONS.c.id == row_id))
        return found


@router.post(
    "/api/chat/events-token",
    response_model=EventsTokenOut,
    responses={**documented_errors(400, 413, 422), **SESSION_ENDED_RESPONSE},
)
def events_token(request: Request, body: ChatSessionIn) -> EventsTokenOut | JSONResponse:
    transport = _transport(request)
    with transaction(transport.session_factory) as db:
        state = poll_state(db.connection(), body.session, transport.clock.now(), _idle(request))
    if state == SessionState.ENDED:
        return session_ended()
    row_id = _row_id(transport, body.session) if state == SessionState.LIVE else None
    if row_id is None:
        return EventsTokenOut(token=None)
    return EventsTokenOut(token=make_token(_key(request), row_id, time.time()))


@router.get(
    "/api/chat/events",
    response_class=Response,
    responses={
        200: {
            "description": "Server-Sent Events: `replies` (as the poll's body), then `ended`",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        204: {"description": "The token is not valid (any more): ask for a new one, or poll"},
        **documented_errors(422),
    },
)
async def chat_events(
    request: Request,
    token: Annotated[str, Query(max_length=200)],
    after: Annotated[RowIdOrZero, Query()] = 0,
) -> Response:
    """The session's later messages as they arrive (``replies`` events), then ``ended``."""
    transport = _transport(request)
    row_id = read_token(_key(request), token, time.time())
    session = None if row_id is None else await asyncio.to_thread(_session_key, transport, row_id)
    feed: ChangeFeed | None = getattr(request.app.state, "live", None)
    if session is None or feed is None:
        # EventSource then gives up; the page asks for a new token or polls.
        return Response(status_code=204)
    return EventSourceResponse(_events(request, transport, feed, session, after), ping=20)


async def _events(
    request: Request, transport: TransportContext, feed: ChangeFeed, session: str, after: int
) -> AsyncIterator[dict[str, str]]:
    idle = _idle(request)
    while True:
        seen = feed.version
        state, replies = await asyncio.to_thread(
            take_later_messages, transport, session, after, idle
        )
        if state == SessionState.ENDED:
            answer = session_ended()
            yield {"event": "ended", "data": bytes(answer.body).decode()}
            return
        if replies:
            after = max(after, *(reply.id for reply in replies))
            payload = json.dumps({"replies": [reply.model_dump() for reply in replies]})
            yield {"event": "replies", "data": payload, "id": str(after)}
        await feed.wait(seen, REFRESH_SECONDS)
        await asyncio.sleep(SETTLE_SECONDS)


def _history(transport: TransportContext, session: str) -> list[ReplyOut] | None:
    with transaction(transport.session_factory) as db:
        citizen_id = session_citizen(db.connection(), session)
        if citizen_id is None:
            return None
        rows = db.execute(
            select(Message.id, Message.sender, Message.text, Message.choices)
            .where(
                Message.channel == Channel.WEB.value,
                Message.address == session,
                Message.citizen_id == citizen_id,
                Message.text.is_not(None),
            )
            .order_by(Message.id.desc())
            .limit(HISTORY_LIMIT)
        ).all()
    return [
        ReplyOut(id=row.id, text=row.text or "", choices=list(row.choices or []), sender=row.sender)
        for row in reversed(rows)
        if row.sender in (Sender.CITIZEN, Sender.BOT, Sender.CONSULTANT, Sender.SYSTEM)
    ]


@router.post(
    "/api/chat/history",
    response_model=HistoryOut,
    responses={**documented_errors(400, 413, 422), **SESSION_ENDED_RESPONSE},
)
def chat_history(request: Request, body: ChatSessionIn) -> HistoryOut | JSONResponse:
    """The conversation so far, both ways, for a reloaded page (a POST: the key stays out of
    URLs). Only while the key lives, and only the citizen it names now."""
    transport = _transport(request)
    with transaction(transport.session_factory) as db:
        state = poll_state(db.connection(), body.session, transport.clock.now(), _idle(request))
    if state == SessionState.ENDED:
        return session_ended()
    messages = _history(transport, body.session) if state == SessionState.LIVE else None
    return HistoryOut(messages=messages or [])


@router.post(
    "/api/chat/later",
    response_model=ChatRepliesOut,
    responses={**documented_errors(400, 413, 422), **SESSION_ENDED_RESPONSE},
)
def later_messages(request: Request, body: ChatLaterIn) -> ChatRepliesOut | JSONResponse:
    """The poll of a page without a live stream: ``GET /api/chat/messages`` as a POST, so the
    key stays out of URLs."""
    state, replies = take_later_messages(
        _transport(request), body.session, body.after, _idle(request)
    )
    if state == SessionState.ENDED:
        return session_ended()
    return ChatRepliesOut(replies=replies)
