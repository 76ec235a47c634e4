"""Carrying out the effects that flows return, inside the dispatcher's transaction.

Each effect type has one handler; modules that add effects register theirs with
:meth:`EffectRunner.register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.models import Citizen, Conversation, ConversationStatus
from flows.types import Effect, HandOff, SetLanguage


@dataclass(frozen=True, slots=True)
class EffectScope:
    """What a handler works on: the open transaction and the conversation at hand."""

    session: Session
    citizen: Citizen
    conversation: Conversation
    now: datetime


E = TypeVar("E", bound=Effect)
Handler = Callable[[EffectScope, Any], None]


class EffectRunner:
    def __init__(self) -> None:
        self._handlers: dict[type[Effect], Handler] = {}
        self.register(HandOff, hand_off)
        self.register(SetLanguage, set_language)

    def register(self, effect_type: type[E], handler: Callable[[EffectScope, E], None]) -> None:
        self._handlers[effect_type] = handler

    def run(self, scope: EffectScope, effects: list[Effect]) -> None:
        for effect in effects:
            handler = self._handlers.get(type(effect))
            if handler is None:
                raise LookupError(f"no handler for effect {type(effect).__name__}")
            handler(scope, effect)


def hand_off(scope: EffectScope, effect: HandOff) -> None:
    conversation = scope.conversation
    already_waiting = conversation.status == ConversationStatus.WAITING
    conversation.status = ConversationStatus.WAITING.value
    conversation.priority = max(conversation.priority or 0, effect.priority)
    conversation.handoff_reason = effect.reason
    conversation.handoff_summary = effect.summary
    if not already_waiting or conversation.waiting_since is None:
        conversation.waiting_since = scope.now


def set_language(scope: EffectScope, effect: SetLanguage) -> None:
    scope.conversation.language = effect.language
    scope.citizen.language = effect.language
