"""A keyword recognizer: the foundation's stand-in until the trained classifier lands.

It knows greetings, requests for a person and crisis words, and nothing else.
"""

from __future__ import annotations

import re
from datetime import datetime

from nlu.types import FALLBACK_INTENT, IntentScore, ParseResult, empty_result

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("crisis", re.compile(r"selvmord|dræbe mig|slå mig selv ihjel|kill myself|suicid", re.I)),
    ("human_handoff", re.compile(r"\b(menneske|person|konsulent|human|rådgiver)\b", re.I)),
    ("greet", re.compile(r"^\s*(hej|hejsa|goddag|hello|hi|hey)\b", re.I)),
)


class KeywordRecognizer:
    def parse(self, text: str, *, now: datetime | None = None) -> ParseResult:
        for intent, pattern in _PATTERNS:
            if pattern.search(text):
                score = IntentScore(name=intent, confidence=1.0)
                return ParseResult(text=text, intent=score, entities=[], intent_ranking=[score])
        return empty_result(text, FALLBACK_INTENT, 0.0)
