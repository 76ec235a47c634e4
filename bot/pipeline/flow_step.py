"""The flows' answer to a message: its context loaded, one flow step, the step's effects run.

A failure here starts the message over (:class:`StartOver`): the effects are undone with the
transaction, and the next attempt offers fresh times (a slot another citizen took first) or
apologises (anything else).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.effects import EffectRunner, EffectScope
from bot.kernel.errors import SlotTaken, StartOver
from bot.kernel.messages import Reply
from bot.pipeline.attempts import Attempt
from bot.store.conversations import OpenConversation
from bot.store.db import MessageTransaction
from bot.store.models import ConversationStatus
from flows.engine import FlowEngine
from flows.types import FlowContext, Step, StoredState, Waiting
from nlu.types import ParseResult

log = logging.getLogger(__name__)


class ContextLoader(Protocol):
    """Builds the flows' context for one message (bot/pipeline/context.py)."""

    def __call__(
        self, work: MessageTransaction, conversation: OpenConversation, channel: str, now: datetime
    ) -> FlowContext: ...


def basic_context(
    work: MessageTransaction, conversation: OpenConversation, channel: str, now: datetime
) -> FlowContext:
    """The context without database look-ups (see bot/pipeline/context.py for the full one)."""
    return FlowContext(
        now=now,
        language=conversation.language,
        channel=channel,
        citizen_id=conversation.citizen_id,
        waiting=waiting_of(conversation),
        first_contact=conversation.first_contact,
    )


def waiting_of(conversation: OpenConversation) -> Waiting | None:
    """The conversation's place in the consultant queue; None unless it waits for a person."""
    if conversation.status != ConversationStatus.WAITING:
        return None
    return Waiting(
        since=conversation.waiting_since,
        priority=conversation.priority,
        reason=conversation.handoff_reason,
    )


@dataclass(frozen=True, slots=True)
class FlowAnswer:
    replies: list[Reply]
    # The conversation's language after the step (an effect may change it).
    language: str
    # The flow state to write, when the step changed it.
    next_state: StoredState | None


def step_flows(
    db: MessageTransaction,
    conversation: OpenConversation,
    parse: ParseResult,
    channel: str,
    now: datetime,
    attempt: Attempt,
    *,
    flows: FlowEngine,
    effects: EffectRunner,
    context_loader: ContextLoader,
) -> FlowAnswer:
    """Take one flow step for the message (or recover from a taken slot) and run its effects."""
    state = dict(conversation.flow_state or {})
    scope = EffectScope(db, conversation.citizen_id, conversation.conversation_id, now)
    try:
        context = context_loader(db, conversation, channel, now)
        step: Step
        if attempt.taken_slot is not None:
            step = flows.recover(state, attempt.taken_slot, context)
        else:
            step = flows.step(state, parse, context)
        if step.effects:
            effects.run(scope, step.effects)
            db.flush()  # a failing write fails here, not at the commit
    except SlotTaken as taken:
        if attempt.taken_slot is None:
            # Another citizen booked the slot first: offer fresh times instead.
            raise StartOver(taken_slot=taken.slot_id) from taken
        log.warning(
            "slot %s was taken twice in conversation %s",
            taken.slot_id,
            conversation.conversation_id,
        )
        raise StartOver(failed=True) from taken
    except Exception as exc:
        log.exception("flow step failed for conversation %s", conversation.conversation_id)
        raise StartOver(failed=True) from exc
    changed = step.next_state != conversation.flow_state
    return FlowAnswer(
        replies=list(step.replies),
        language=scope.language_after(conversation.language),
        next_state=step.next_state if changed else None,
    )
