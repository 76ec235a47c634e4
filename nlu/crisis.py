"""The crisis safety net: patterns that make a message ``crisis`` whatever the classifier says.

A missed crisis message is the one error the bot must not make, so these patterns are broad
(suicide, self-harm, violence, acute danger; Danish and English) and match the folded text
(see :func:`nlu.normalization.fold`: no æøå, no double letters, so "ikke" is "ike", "dø" is
"do" and "broen" is "bron"). A false alarm
costs a caring reply and a priority handoff; a miss may cost a life.
"""

from __future__ import annotations

import re

from nlu.normalization import fold

_PATTERNS = (
    # suicide (selvmord, "selv mord", selvmort, suicide, suicidal)
    r"\bselv ?mor[dt]",
    r"\bsuicid",
    r"\bihjel\b",
    r"\bdr[ae]b\w* (mig|mit|dig|ham|hende|nogen|min|en)\b",
    r"\b(tage?|tog|taget|ende|ender|slut\w*) (mit|mit eget|sit|sit eget) liv\b",
    r"\bgore en ende pa",
    r"\b(vil|gider|orker|kan|magter|onsker|lyst til at) ike (at )?(leve|lev)\b",
    r"\bike (at )?(leve|vare her|vare i live) (mere|lang\w*|videre)\b",
    r"\b(er jeg|jeg er) her ike mere\b",
    r"\bike vil (leve|do)\b",
    r"\bhvis jeg ike (var|eksisterede|fandtes|var her)\b",
    r"\bbedre (af )?uden mig\b",
    r"\bforsvinde for altid\b",
    r"\b(vil|vile|lyst til|onsker|hellere|bare|tanker pa|tanke om|tanker om) (at )?(bare )?do\b",
    r"\bafskedsbrev",
    r"\b(hange|hang) mig\b",
    r"\b(bro\w*|taget|vinduet|altanen|toget|sporet)\b.{0,30}\b(springe|hope)\b",
    r"\b(springe|hope|kaste mig) (ud )?(fra|foran|ud)\b",
    r"\boverdos",
    r"\b(taget|tage|tog|slugt|sluge|samlet|samler|tok|take|taken) (ale |al |mange |en masse )?"
    r"(mine |af mine |my )?(piler|tabletter|pils)\b",
    # self-harm
    r"\b(skar|skare|skarer|skaret|skader|skade|skadet|cuter|cut\w*) (i )?(mig selv|mig)\b",
    r"\bcuter\b",
    r"\b(skar|skare|skarer|skaret|cuter|cutede|snitede|sniter|brander|brande) i (mine|min|mit)"
    r"( egen| egne)? (arme?|hand\w*|ben|hud|krop)",
    r"\bselvskad",
    # violence and acute danger
    r"\b(slar|slog|slat|sparker|sparkede|sparket|banker|bankede|tavet|taver) mig\b",
    r"\bvoldta",
    r"\b(udsat for|bliver udsat for) vold",
    r"\bvold (derhjem|hjem)",
    r"\bkniv\b",
    r"\b(vaben|pistol|gevar)\b",
    r"\btru(er|ede|et) (mig|med at (sla|drab|kv|skyd|stik))",
    r"\bi (livs)?fare\b",
    r"\b(kvale|kvaler|stik|stike|skyde) (mig|ham|hende|dig)\b",
    # English
    r"\bkil\w* (my ?self|me|him|her|someone|somebody|them)\b",
    r"\b(want|wana|going|gona) (to )?die\b",
    r"\b(end|ending|take|taking) my (own )?life\b",
    r"\b(dont|do not|don t) want to (live|be alive)",
    r"\b(hurt|harm|cut)\w* my ?self\b",
    r"\bself harm",
    r"\b(hits|beats|hit|beat|beating|hiting) me\b",
    r"\bthreat\w* (to kil|me)\b",
    r"\bin danger\b",
    r"\bata(c)?k\w* me\b",
    r"\bover ?dose",
    r"\bbeter of without me\b",
)
_CRISIS = re.compile("|".join(f"(?:{pattern})" for pattern in _PATTERNS))


def crisis_matches(text: str) -> bool:
    """True when ``text`` matches a crisis pattern."""
    return _CRISIS.search(fold(text)) is not None
