"""Handling a message again after a rollback: what the attempts before learnt, and the loop.

When something must be undone (an effect failed, another citizen took the slot first, a
concurrent first message made the citizen) the whole transaction is rolled back and the message
handled again, knowing what happened: that costs nothing on the ordinary message, where a
savepoint around every step cost two round trips.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine

from bot.kernel.errors import StartOver
from bot.store.db import MessageTransaction, message_transaction

T = TypeVar("T")

# A message is handled at most this many times (a lost sign-up race, a slot taken meanwhile, and
# a failed recovery from it each start it over once).
MAX_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class Attempt:
    """How to handle a message this time, after the attempts before were rolled back."""

    # Another citizen booked this slot first: offer fresh times instead of the flow's step.
    taken_slot: int | None = None
    # The flow or its effects failed: keep the message and apologise, without the flow.
    failed: bool = False


def in_attempts(engine: Engine, work: Callable[[MessageTransaction, Attempt], T]) -> T:
    """Run ``work`` in a transaction; when it asks to start over, roll back and run again."""
    attempt = Attempt()
    for _ in range(MAX_ATTEMPTS):
        try:
            with message_transaction(engine) as db:
                return work(db, attempt)
        except StartOver as again:
            if again.taken_slot is not None or again.failed:
                attempt = Attempt(taken_slot=again.taken_slot, failed=again.failed)
    raise RuntimeError(f"a message was started over {MAX_ATTEMPTS} times")
