"""Intent and entity recognition behind one interface, in the shape of Rasa's ``/model/parse``.

Every backend (the embedded classifier, a Rasa server) returns a :class:`ParseResult`, so the
core and the flows never know which one answered.
"""

from __future__ import annotations

from nlu.types import (
    FALLBACK_INTENT,
    INTENTS,
    Entity,
    IntentRecognizer,
    IntentScore,
    ParseResult,
)

__all__ = [
    "FALLBACK_INTENT",
    "INTENTS",
    "Entity",
    "IntentRecognizer",
    "IntentScore",
    "ParseResult",
]
