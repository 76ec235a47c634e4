"""The consultant inbox: queue, conversations, citizen pages, slots, bookings, statistics."""

from __future__ import annotations

from bot.inbox.pages import router

__all__ = ["router"]
