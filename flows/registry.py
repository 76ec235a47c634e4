"""Which flow handles what: intents to the handlers that start a flow, and each kind of open
question to the handler that reads its answer.

Each flow module registers its own in a ``register(registry)`` function; the engine looks them up,
so a new intent is a new handler, not another branch in the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flows.questions import Question
from flows.turn import Turn

# Starts a flow for an intent; the topic is the one a yes to "book a meeting about it?" carries.
IntentHandler = Callable[[Turn, str | None], None]
Q = TypeVar("Q", bound=Question)


class Registry:
    def __init__(self) -> None:
        self._intents: dict[str, IntentHandler] = {}
        self._answers: dict[type[Question], Callable[[Turn, Any], bool]] = {}

    def intent(self, name: str, handler: IntentHandler) -> None:
        if name in self._intents:
            raise ValueError(f"intent {name!r} has a handler already")
        self._intents[name] = handler

    def answer(self, kind: type[Q], handler: Callable[[Turn, Q], bool]) -> None:
        """``handler`` reads an answer to a ``kind`` question: False when it is not one."""
        if kind in self._answers:
            raise ValueError(f"{kind.__name__} has an answer handler already")
        self._answers[kind] = handler

    def handler(self, intent: str) -> IntentHandler | None:
        return self._intents.get(intent)

    def intent_names(self) -> frozenset[str]:
        """Every intent with a handler: the NLU's and those a menu option starts."""
        return frozenset(self._intents)

    def read_answer(self, turn: Turn, question: Question) -> bool:
        return self._answers[type(question)](turn, question)
