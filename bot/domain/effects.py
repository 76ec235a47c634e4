"""Carrying out the effects that flows return, inside the dispatcher's transaction.

Each effect type has one handler; modules that add effects register theirs with
:meth:`EffectRunner.register`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.store.db import MessageTransaction
from bot.store.models import Citizen, Conversation, ConversationStatus
from flows.types import Effect, HandOff, SetCallbackPhone, SetLanguage, SummaryKey


class EffectScope:
    """What a handler works on: the open transaction and the conversation at hand.

    The citizen and the conversation are loaded (ORM) when a handler first asks for them: most
    messages have no effects, and the message pipeline itself works on plain rows.
    """

    def __init__(
        self, db: MessageTransaction, citizen_id: int, conversation_id: int, now: datetime
    ) -> None:
        self._db = db
        self.citizen_id = citizen_id
        self.conversation_id = conversation_id
        self.now = now

    @property
    def session(self) -> Session:
        return self._db.session

    @cached_property
    def citizen(self) -> Citizen:
        citizen = self.session.get(Citizen, self.citizen_id)
        assert citizen is not None, "the pipeline holds the citizen's conversation locked"
        return citizen

    @cached_property
    def conversation(self) -> Conversation:
        conversation = self.session.get(Conversation, self.conversation_id)
        assert conversation is not None, "the pipeline holds the conversation locked"
        return conversation

    def language_after(self, language: str) -> str:
        """The conversation's language now: ``language`` unless a handler changed it."""
        conversation = self.__dict__.get("conversation")
        return conversation.language if conversation is not None else language


E = TypeVar("E", bound=Effect)
Handler = Callable[[EffectScope, Any], None]


class EffectRunner:
    def __init__(self) -> None:
        self._handlers: dict[type[Effect], Handler] = {}
        self.register(HandOff, hand_off)
        self.register(SetLanguage, set_language)
        self.register(SetCallbackPhone, set_callback_phone)

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
    # A waiting crisis chat that hands off again (an absence dispute, two misunderstandings)
    # keeps its priority and its reason: the consultant must still see the crisis first.
    keeps_reason = already_waiting and (conversation.priority or 0) > effect.priority
    conversation.priority = max(conversation.priority or 0, effect.priority)
    summary = dict(effect.summary)
    if keeps_reason and conversation.handoff_reason:
        summary[SummaryKey.REASON] = conversation.handoff_reason
    else:
        conversation.handoff_reason = effect.reason
    conversation.handoff_summary = summary
    if not already_waiting or conversation.waiting_since is None:
        conversation.waiting_since = scope.now


def set_language(scope: EffectScope, effect: SetLanguage) -> None:
    scope.conversation.language = effect.language
    scope.citizen.language = effect.language


def set_callback_phone(scope: EffectScope, effect: SetCallbackPhone) -> None:
    """The number a consultant calls back; kept apart from ``phone``, which links identities
    and is set only from a number the channel proved (an SMS, a shared Telegram contact)."""
    scope.citizen.callback_phone = effect.phone
