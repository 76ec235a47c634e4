"""Live inbox pages: one Server-Sent Events stream per open page (``/inbox/live``).

The stream sends, whenever the database changed (``bot.store.live.ChangeFeed``, fed across
server processes), and at least every ``REFRESH_SECONDS``:

- ``alerts``: the waiting count and which waiting conversations are crises, for the tab title,
  the sound and the notification (``assets/alerts.js``), on every inbox page;
- ``fragment``: ``[index, html]``, the HTML of a live part of the page (the queue, a
  transcript; ``fragment`` given once for each, in order) when it changed.

The fragment is fetched from its own route inside the app with the consultant's own cookie,
so who sees what is exactly the page's rule (``bot.inbox.scope``), checked on every change:
a consultant logged out or moved team gets an ``end`` event and nothing more. The page's
polling stays as the fallback where EventSource is missing or keeps failing.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse

from bot.inbox import auth, conversations
from bot.inbox.auth import Viewer
from bot.inbox.routes.depends import LoggedIn, ServicesDep, section_router
from bot.services import Services
from bot.store.db import transaction
from bot.store.live import ChangeFeed

router = section_router()

# A stream re-reads at least this often, in case a change signal was lost.
REFRESH_SECONDS = 15.0
# A burst of commits (a message, its reply, the outbox) is read once, this long after the first.
SETTLE_SECONDS = 0.03
CRISIS_PRIORITY = 100
# Only the inbox's own fragments: never a path outside it, never another host.
FRAGMENT = re.compile(r"^/inbox(?:/[A-Za-z0-9_-]+)+\.fragment(?:\?[A-Za-z0-9=&%_.,:+-]*)?$")


def alert_state(db: Session, viewer: Viewer) -> dict[str, Any]:
    """What the alerts need: the conversations waiting as the queue shows them."""
    waiting = conversations.waiting_queue(db, viewer)
    return {
        "waiting": [item.conversation.id for item in waiting],
        "crisis": [
            item.conversation.id
            for item in waiting
            if item.conversation.priority >= CRISIS_PRIORITY
        ],
    }


def _read_alerts(services: Services, viewer: Viewer) -> dict[str, Any] | None:
    """The alert state, or None once the consultant's login ended."""
    with transaction(services.session_factory) as db:
        if auth.viewer_for(db, viewer.session_token, services.clock.now()) is None:
            return None
        return alert_state(db, viewer)


def _feed(services: Services) -> ChangeFeed | None:
    return services.live


@router.get("/live")
async def live(
    request: Request,
    viewer: LoggedIn,
    services: ServicesDep,
    fragment: Annotated[list[str] | None, Query(max_length=5)] = None,
) -> Response:
    fragments = fragment or []
    if any(len(path) > 500 or not FRAGMENT.match(path) for path in fragments):
        return Response("Not a live fragment of the inbox", status_code=400)
    feed = _feed(services)
    if feed is None:
        return Response("Live updates are off", status_code=503)
    return EventSourceResponse(_events(request, viewer, services, feed, fragments), ping=20)


async def _events(
    request: Request, viewer: Viewer, services: Services, feed: ChangeFeed, fragments: list[str]
) -> AsyncIterator[dict[str, str]]:
    headers = {"cookie": request.headers.get("cookie", ""), "host": request.url.netloc}
    transport = httpx.ASGITransport(app=request.app)
    last_alerts: dict[str, Any] | None = None
    last_html: dict[int, str] = {}
    async with httpx.AsyncClient(transport=transport, base_url=str(request.base_url)) as client:
        while True:
            seen = feed.version
            for index, path in enumerate(fragments):
                answer = await client.get(path, headers=headers)
                if answer.status_code != 200:  # logged out, or no longer in scope
                    yield {"event": "end", "data": str(answer.status_code)}
                    return
                if answer.text != last_html.get(index):
                    last_html[index] = answer.text
                    yield {"event": "fragment", "data": json.dumps([index, answer.text])}
            alerts = await asyncio.to_thread(_read_alerts, services, viewer)
            if alerts is None:
                yield {"event": "end", "data": "401"}
                return
            if alerts != last_alerts:
                last_alerts = alerts
                yield {"event": "alerts", "data": json.dumps(alerts)}
            await feed.wait(seen, REFRESH_SECONDS)
            await asyncio.sleep(SETTLE_SECONDS)
