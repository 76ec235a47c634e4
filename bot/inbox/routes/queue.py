"""The queue: waiting conversations and the consultant's own, as a page and as a polled fragment,
the waiting list narrowed by the filters in the page's query (bot/inbox/finding.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.inbox import conversations, finding
from bot.inbox.auth import Viewer
from bot.inbox.finding import QueueFilter
from bot.inbox.routes.depends import LoggedIn, Render, ServicesDep, Transaction, section_router

router = section_router()


def _queue_filter(
    crisis: Annotated[str, Query(max_length=1)] = "",
    channel: Annotated[str, Query(max_length=20)] = "",
    topic: Annotated[str, Query(max_length=40)] = "",
    waited: Annotated[str, Query(max_length=3)] = "",
    team: Annotated[str, Query(max_length=10)] = "",
) -> QueueFilter:
    return QueueFilter.from_query(crisis, channel, topic, waited, team)


Filter = Annotated[QueueFilter, Depends(_queue_filter)]


def _queue_context(
    db: Session, viewer: Viewer, chosen: QueueFilter, services: ServicesDep
) -> dict[str, Any]:
    waiting, topics = finding.filtered_waiting(db, viewer, chosen, services.clock.now())
    query = {
        "crisis": "1" if chosen.crisis else "",
        "channel": chosen.channel,
        "topic": chosen.topic,
        "waited": str(chosen.waited or ""),
        "team": chosen.team,
    }
    return {
        "waiting": waiting,
        "mine": conversations.held_by(db, viewer),
        "filter": chosen,
        "filter_query": urlencode({key: value for key, value in query.items() if value}),
        "topics": topics,
        "waited_choices": finding.WAITED_CHOICES,
        "team_choices": finding.TEAM_CHOICES,
        "channels": ("web", "sms", "telegram"),
        "colleagues": finding.colleagues(db, viewer),
    }


@router.get("")
def queue_page(
    viewer: LoggedIn, db: Transaction, render: Render, chosen: Filter, services: ServicesDep
) -> Response:
    return render("queue.html", viewer, **_queue_context(db, viewer, chosen, services))


@router.get("/queue.fragment")
def queue_fragment(
    viewer: LoggedIn, db: Transaction, render: Render, chosen: Filter, services: ServicesDep
) -> Response:
    return render("_queue.html", viewer, **_queue_context(db, viewer, chosen, services))
