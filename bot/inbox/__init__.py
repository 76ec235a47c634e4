"""The consultant inbox: queue, conversations, citizen pages, slots, bookings, statistics.

``router`` holds the pages of every section (``bot.inbox.routes``) under ``/inbox``.
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.inbox.routes import (
    assets,
    attachments,
    audit_log,
    bookings,
    canned,
    citizen,
    citizen_care,
    content,
    conversation,
    finding,
    live,
    login,
    queue,
    slots,
    statistics,
)

router = APIRouter()
for _section in (
    assets,
    login,
    queue,
    conversation,
    citizen,
    citizen_care,
    bookings,
    statistics,
    slots,
    canned,
    audit_log,
    content,
    attachments,
    live,
    finding,
):
    router.include_router(_section.router)

__all__ = ["router"]
