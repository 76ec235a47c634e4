"""The pipeline's inbound interface: what a transport hands a citizen's message to.

Transports in ``integrations/`` know this module, never the dispatcher behind it (compare Rasa's
``InputChannel`` callback). Everything here is a neutral type or a protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.kernel.clock import Clock
from bot.kernel.messages import InboundMessage, OutboundMessage, Reply
from bot.store.db import SessionFactory
from bot.store.models import Citizen

T = TypeVar("T")

# Runs in a fixed answer's transaction before the conversation is opened; may return another
# citizen (a merge after a shared phone number).
CitizenHook = Callable[[Session, Citizen, datetime], Citizen]


class Delivery(StrEnum):
    """How replies reach the citizen."""

    INLINE = "inline"  # in the HTTP response (web chat): stored as sent
    OUTBOX = "outbox"  # queued for a sender (Telegram)
    # In the HTTP response, with its fate still to come from the provider (TwiML whose
    # <Message action> is the status callback): stored ``sending`` and held for
    # PROVIDER_REPORT_GRACE; a row still unreported then is settled by the outbox, which asks
    # the provider's message list (sent if there, sent again if provably not).
    INLINE_REPORTED = "inline_reported"


PROVIDER_REPORT_GRACE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """What became of one inbound message."""

    inbound_id: int
    citizen_id: int
    conversation_id: int
    replies: list[OutboundMessage]
    duplicate: bool
    intent: str | None


class InboundPipeline(Protocol):
    """One inbound message in, its replies stored (and returned) in one transaction."""

    async def in_thread(self, work: Callable[[], T]) -> T:
        """Run blocking pipeline work off the event loop."""
        ...

    def handle(self, inbound: InboundMessage, *, delivery: Delivery) -> DispatchResult:
        """Understand the message and answer it; a redelivery returns the first answer."""
        ...

    def answer_fixed(
        self,
        inbound: InboundMessage,
        replies: Callable[[str], list[Reply]],
        *,
        delivery: Delivery,
        stored_text: str | None,
        on_citizen: CitizenHook | None = None,
    ) -> DispatchResult:
        """Store a message that needs no NLU (a photo, STOP, /start) with fixed replies."""
        ...


@dataclass(frozen=True, slots=True)
class TransportContext:
    """What a transport's HTTP routes need of the core; the app keeps it in
    ``app.state.transport``."""

    pipeline: InboundPipeline
    session_factory: SessionFactory
    clock: Clock
