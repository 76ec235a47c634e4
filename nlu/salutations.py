"""Greetings and sign-offs around a message, removed before its intent is classified.

Real letters open with "Hej Lone," and close with "Med venlig hilsen Mikkel", "mvh" or "Tak på
forhånd". Those words say nothing about what the citizen wants, yet a classifier trained on
short messages reads "hilsen" as a greeting and a signed name as asking for a person. Only the
classifier sees the stripped text: the parse result keeps the citizen's own text, and the crisis
safety net and the entities read all of it.

A message that is nothing but a greeting or a sign-off ("hej", "tak", "mvh", "Goddag, det er
Karin") is left as it is: then the greeting *is* the message. So is a greeting with no more than
the citizen's situation ("Hej, jeg er på kontanthjælp", "Hi, I just moved here"): it asks
nothing yet, and its benefit words would otherwise read as a question about that benefit. The
classifier then sees the greeting alone.
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
_GREETING_WORD = r"(?:hej|hejsa|hey|hi|hello|goddag|god\s+morgen|godmorgen|godaften|dav|halløj)"
# Benefits and courses a citizen says they are on, Danish and English.
_STATUS = (
    r"(?:kontanthjælp\w*|førtidspension|fleksjob|ledighedsydelse|ressourceforløb\w*|"
    r"jobafklaring\w*|uddannelseshjælp|sygedagpenge|revalidering\w*|overgangsydelse|"
    r"(?:early\s+retirement\s+|disability\s+)pension|cash\s+benefit|flex\s?job|"
    r"sickness\s+benefits?|resource\s+course)"
)
# One clause of the citizen's situation, without a request: what they receive, that they are
# new or have just moved here, their age. No question mark and no verb that asks for anything.
_SITUATION_CLAUSE = (
    r"(?:(?:(?:jeg|vi)\s+)?(?:er|går)\s+(?:nu\s+|stadig\s+)?(?:på|i|en)\s+" + _STATUS + r"|"
    r"jeg\s+(?:får|modtager|har)\s+" + _STATUS + r"|"
    r"jeg\s+(?:har|er)\s+(?:lige\s+|netop\s+)?(?:fået|blevet)\s+"
    r"(?:tilkendt\s+|bevilget\s+|visiteret\s+til\s+)?(?:et\s+|en\s+)?" + _STATUS + r"|"
    r"jeg\s+er\s+(?:førtidspensionist|fleksjobber|\d{2}\s+år(?:\s+gammel)?|"
    r"ny\s+(?:her|i\s+jobcent\w+|i\s+kommunen))|"
    r"(?:jeg|vi)\s+er\s+(?:lige\s+|netop\s+)?flyttet\s+(?:hertil|til\s+[\wæøå]+)"
    r"(?:\s+fra\s+[\wæøå]+)?|"
    r"i(?:'m|\s+am)\s+(?:on|in|a)\s+" + _STATUS + r"|"
    r"i\s+(?:receive|get|got|have)\s+(?:a\s+)?" + _STATUS + r"(?:\s+last\s+\w+)?|"
    r"i(?:'m|\s+am|\s+have)?\s+(?:just\s+)?(?:moved|new)\s+(?:here|to\s+\w+(?:\s+\w+)?)|"
    r"i(?:'m|\s+am)\s+new\s+(?:here|at\s+the\s+job\s?cent\w+))"
)
_SITUATION_ONLY = re.compile(
    rf"^\s*(?P<greeting>{_GREETING_WORD})(?:\s+(?:med dig|there|alle|{_NAME}))?[\s,!.:]*"
    rf"(?:(?i:det\s+er|jeg\s+hedder|mit\s+navn\s+er|this\s+is|my\s+name\s+is)\s+{_NAME}"
    rf"(?:\s+{_NAME})?(?:\s*,\s*|\s+og\s+|\s+and\s+|[\s.!]+))?"
    rf"{_SITUATION_CLAUSE}(?:(?:\s*,\s*|\s+og\s+|\s+and\s+){_SITUATION_CLAUSE})*[\s.!]*$",
    re.IGNORECASE,
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
    situation_only = _SITUATION_ONLY.match(stripped)
    if situation_only:
        return situation_only["greeting"]
    opened = _OPENING.sub("", stripped, count=1)
    if opened != stripped:
        opened = _INTRODUCTION.sub("", opened, count=1)
    stripped = opened.strip()
    return stripped if _has_words(stripped) else text


def _has_words(text: str) -> bool:
    return any(character.isalnum() for character in text)
