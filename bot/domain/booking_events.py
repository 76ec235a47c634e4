"""Listeners told whenever a booking is created, moved, cancelled or marked.

Whoever changes a booking (the booking flow's effects, the consultant inbox, a slot exception)
calls :meth:`BookingListeners.changed` in the same transaction; reminders register a listener
that re-derives the booking's reminders, so no caller needs to know about them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.store.models import Booking

BookingListener = Callable[[Session, Booking, datetime], None]


class BookingListeners:
    def __init__(self) -> None:
        self._listeners: list[BookingListener] = []

    def add(self, listener: BookingListener) -> None:
        self._listeners.append(listener)

    def changed(self, session: Session, booking: Booking, now: datetime) -> None:
        """Call every listener; they run inside the caller's transaction."""
        for listener in self._listeners:
            listener(session, booking, now)
