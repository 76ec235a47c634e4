"""Greetings and sign-offs around a message, removed before its intent is classified.

Real letters open with "Hej Lone," and close with "Med venlig hilsen Mikkel", "mvh" or "Tak på
forhånd". Those words say nothing about what the citizen wants, yet a classifier trained on
short messages reads "hilsen" as a greeting and a signed name as asking for a person. Only the
classifier sees the stripped text: the parse result keeps the citizen's own text, and the crisis
safety net and the entities read all of it.

A message that is nothing but a greeting or a sign-off ("hej", "tak", "mvh", "Goddag, det er
Karin") is left as it is: then the greeting *is* the message.
"""

from __future__ import annotations

import re

_NAME = r"(?:[A-ZÆØÅ][\w'-]*\.?)"
# "Hej Lone," "Kære Lone" "Hi Anna," "Goddag!": at the very start, with an optional name, set
# apart by a comma, a full stop or a line. A bare "hej mit cpr er ..." is left alone: the greeting
# may be all the message says.
_OPENING = re.compile(
    rf"^\s*(?:(?:kære|dear)(?:\s+[\w'.-]+){{1,3}}\s*(?:[,!.:]+|\n)|"
    rf"(?:hej|hejsa|hey|hi|hello|goddag|god morgen|godmorgen|dav|halløj)"
    rf"(?:\s+(?:med dig|there|alle|jobcenter\w*|{_NAME}(?:\s+{_NAME})?))?\s*(?:[,!.:]+|\n))\s*",
    re.IGNORECASE,
)
# "Det er Karin.", "Jeg hedder Ali Hassan,", "This is John.": an introduction right after the
# greeting says no more about the request than the greeting does. The name must be capitalised,
# so "i am sick" is not an introduction.
_INTRODUCTION = re.compile(
    rf"^\s*(?i:det\s+er|jeg\s+hedder|mit\s+navn\s+er|this\s+is|my\s+name\s+is|i\s+am|i'm|it's)"
    rf"\s+{_NAME}(?:\s+{_NAME})?\s*(?:[,!.:]+|\n|$)\s*"
)
# "Med venlig hilsen Mikkel", "mvh M.", "Kind regards, John Smith": at the end, with a name.
_SIGNED = r"[\s,.!-]*(?:\S+(?:\s+\S+){0,2})?[\s.!]*$"
_SIGN_OFF = re.compile(
    # Unmistakable sign-offs, wherever the last line starts (SMS often has no full stop).
    r"[\s,.!-]*\b(?:med\s+venlig(?:st)?\s+hilsen|venlig(?:st)?\s+hilsen|venlige\s+hilsner|"
    r"(?:de\s+)?bedste\s+hilsner|mange\s+hilsner|mvh|vh|kh|kind\s+regards|best\s+regards|"
    r"warm\s+regards|best\s+wishes|yours\s+sincerely|sincerely)\b"
    # "Hilsen Mikkel", "Regards": only on a line or sentence of their own ("with regards to").
    rf"{_SIGNED}|(?:^|[\n.!,]\s*)(?:hilsen|hilsner|regards)\b{_SIGNED}",
    re.IGNORECASE,
)
# "Tak på forhånd", "På forhånd tak", "Thanks in advance": a closing courtesy, at the end.
_THANKS = re.compile(
    r"[\s,.!-]*\b(?:(?:mange\s+|tusind\s+)?tak\s+(?:på|paa|pa)\s+forhånd|"
    r"(?:på|paa|pa)\s+forhånd\s+tak|thanks?\s+in\s+advance|thank\s+you\s+in\s+advance|"
    r"(?:mange\s+|tusind\s+)?tak\s+for\s+(?:hjælpen|hjaelpen|din\s+hjælp|svar\w*)|"
    r"thanks?\s+for\s+(?:your\s+)?(?:help|reply|answer)|"
    r"(?<!\bnej\s)(?<!\bellers\s)(?<!\bno\s)(?:mange\s+|tusind\s+)?(?:tak|thanks|thank\s+you))"
    r"[\s.!]*$",
    re.IGNORECASE,
)


def strip_salutations(text: str) -> str:
    """``text`` without an opening greeting and closing sign-offs and thanks; the whole text when
    nothing else would be left, so a lone "hej" or "tak" is still read as one."""
    stripped = text
    # A sign-off can follow a thanks ("Tak på forhånd. Mvh Mikkel") and the other way round.
    for _ in range(3):
        shorter = _THANKS.sub("", _SIGN_OFF.sub("", stripped))
        if shorter == stripped:
            break
        stripped = shorter
    opened = _OPENING.sub("", stripped, count=1)
    if opened != stripped:
        opened = _INTRODUCTION.sub("", opened, count=1)
    stripped = opened.strip()
    return stripped if _has_words(stripped) else text


def _has_words(text: str) -> bool:
    return any(character.isalnum() for character in text)
