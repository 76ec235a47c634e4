"""The concerns of a message, sentence by sentence: a letter about five things is five concerns.

A classifier gives a long letter one intent, the loudest; "I am ill, I disagree with the
deduction, and when is my meeting?" becomes an absence, and the rest goes unanswered.
:class:`ConcernReader` wraps any recognizer: it parses the whole text as before and, when the
text has several sentences, each sentence too, and adds to the result ``concerns``: the intent of
each sentence that is clearly about something (sure enough, not a greeting, a thanks or a yes).
The flows then hand such a letter to a person with the concerns listed
(:mod:`flows.concerns`).

A sentence read as a crisis is a concern too, so a crisis told in one sentence of a long letter
is not lost in the rest.
"""

from __future__ import annotations

import re
from datetime import datetime

from nlu.salutations import strip_salutations
from nlu.types import FALLBACK_INTENT, IntentRecognizer, IntentScore, ParseResult

# A sentence's intent counts as a concern at this confidence or above.
CONCERN_CONFIDENCE = 0.8
# A sentence read as a crisis counts at this: the safety net's own (0.95) or a very sure model.
# The whole text is read for a crisis as always; lower, a polite "I hope you can help me with
# it all" was a crisis of its own (0.68).
CRISIS_CONCERN_CONFIDENCE = 0.9
# Sentences shorter than this (in words) carry no concern of their own ("Ja.", "Hej Lone.").
MIN_SENTENCE_WORDS = 3
# Intents that are no concern: courtesy, answers, and what the bot cannot read.
NO_CONCERN = frozenset({"greet", "goodbye", "affirm", "deny", "out_of_scope", FALLBACK_INTENT})
# A full stop ends a sentence before a capital: "mødet den 3. december" is one sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ\"])|(?<=[!?])\s+|\n+|;\s+")


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` that may carry a concern, greetings and sign-off left out."""
    parts = (part.strip() for part in _SENTENCE_END.split(strip_salutations(text)))
    return [part for part in parts if len(part.split()) >= MIN_SENTENCE_WORDS]


class ConcernReader:
    """A recognizer whose results carry the concerns of each sentence (``concerns``)."""

    def __init__(self, recognizer: IntentRecognizer) -> None:
        self.recognizer = recognizer

    def parse(self, text: str, *, now: datetime | None = None) -> ParseResult:
        result = self.recognizer.parse(text, now=now)
        parts = sentences(text)
        if len(parts) < 2:
            return result
        concerns: list[IntentScore] = []
        for part in parts:
            score = self.recognizer.parse(part, now=now)["intent"]
            floor = CRISIS_CONCERN_CONFIDENCE if score["name"] == "crisis" else CONCERN_CONFIDENCE
            if score["name"] not in NO_CONCERN and score["confidence"] >= floor:
                concerns.append(IntentScore(name=score["name"], confidence=score["confidence"]))
        result["concerns"] = concerns
        return result

    def close(self) -> None:
        """Close the wrapped recognizer if it holds resources (the Rasa client)."""
        close = getattr(self.recognizer, "close", None)
        if callable(close):
            close()
