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
    # "vil ikke leve mere", but not "gider ikke leve af kontanthjælp"
    r"\b(vil|gider|orker|kan|magter|onsker|lyst til at) ike (at )?(leve|lev)\b"
    r"(?! (af|pa|for|med|uden|sammen|i|som|sadan her med))",
    r"\bike (at )?(leve|vare her|vare i live) (mere|lang\w*|videre)\b",
    r"\b(er jeg|jeg er) her ike mere\b",
    r"\bike vil (leve|do)\b",
    r"\bhvis jeg ike (var|eksisterede|fandtes|var her)\b",
    r"\bbedre (af )?uden mig\b",
    r"\bforsvinde for altid\b",
    r"\b(vil|vile|lyst til|onsker|hellere|bare|tanker pa|tanke om|tanker om) (at )?(bare )?do\b",
    r"\bafskedsbrev",
    r"\bike (lyst|lust) til at leve\b",
    # Passive wishes not to be here or not to wake up, the warning signs suicide-prevention
    # advice lists ("jeg har ikke lyst til at være her mere"); "træt af livet", no meaning in it.
    r"\bike (lyst|lust) til at (vare her|vagne( op)?) (mere|lang\w*|igen)\b",
    r"\bike (lyst|lust) til at vare i live\b",
    r"\b(ike|aldrig) (at )?vagne (op )?(igen|mere)\b",
    r"\bhaber (at )?(jeg )?ike (at )?(jeg )?vagner\b",
    r"\btrat af (at leve|livet|at vare i live)\b",
    r"\b(ingen|ike nogen) mening (med|i) (at leve|livet)\b",
    r"\b(ingen grund|ike vard|ike nogen grund|no reason|not worth) "
    r"(til at |at |to )?(leve|live|living)\b",
    r"\blivet er ike vard\b",
    r"\b(ingen|nobody|no one|noone) (vil|vile|would|will) (savne|mis) (mig|me)\b",
    r"\b(hvis jeg var|vil vare|vile vare|bare vare|if i was|if i were) (dod|dead|gone|vak)\b",
    r"\bend (it|everything)( al)?\b",
    r"\b(hange|hang) mig\b",
    r"\b(bro\w*|taget|vinduet|altanen|toget|sporet)\b.{0,30}\b(springe|hope)\b",
    r"\b(springe|hope|kaste mig) (ud )?(fra|foran|ud)\b",
    r"\boverdos",
    r"\b(taget|tage|tog|slugt|sluge|samlet|samler|tok|take|taken) "
    r"(ale |al |mange |for mange |en masse |too many )?"
    r"(mine |af mine |my )?(piler|tabletter|pils)\b",
    # self-harm
    r"\b(skar|skare|skarer|skaret|skader|skade|skadet|cuter|cut\w*) (i )?(mig selv|mig)\b",
    r"\bcuter\b",
    r"\b(skar|skare|skarer|skaret|cuter|cutede|snitede|sniter|brander|brande) i (mine|min|mit)"
    r"( egen| egne)? (arme?|hand\w*|ben|hud|krop)",
    r"\bselvskad",
    r"\bskade (pa )?mig selv\b",
    r"\b(kobt|samlet|gemt|sparet op) (\w+ )?(piler|tabletter)\b",
    # violence and acute danger
    # "han slår mig", but not "jeg slog mig på cyklen" (bumped myself)
    r"\b(slar|slog|slat|sparker|sparkede|sparket|banker|bankede|tavet|taver) mig\b(?! pa\b)",
    r"\bvoldta",
    r"\bvoldel",
    r"\b(bliver|blev|er blevet|bliver tit) (slat|banket|tavet|sparket|truet)\b",
    r"\bbange for (ham|hende|min (mand|kareste|ekskareste|eks|far|bror|kone|partner|sambo))\b",
    r"\b(afraid|scared) of (him|her|my (husband|boyfriend|partner|father|ex))\b",
    r"\b(vil|vile|prover at|truer med at|wil) (sla|drabe|skade|stike|kvale|skyde) (mig|dig)\b",
    r"\bfortrad\b",
    r"\bsprang\w* .{0,30}\bi luften\b",
    r"\bbombe\b",
    r"\bskyd\w* (nogen|mig|dig|ham|hende|folk)\b",
    r"\b(udsat for|bliver udsat for) vold",
    r"\bvold (derhjem|hjem)",
    # a knife as a threat, not "kniv og gaffel"
    r"\b(med|har|holder|viser|truer med|truet med|fandt|stik\w*|stak) (en |sin |hans |min )?kniv",
    r"\bkniv(en)? (mod|i|til|frem)\b",
    r"\b(vaben|pistol|gevar)\b",
    r"\btru(er|ede|et) (mig|med at (sla|drab|kv|skyd|stik))",
    # "jeg er i fare", not "i fare for at miste min bolig" (at risk of)
    r"\bi (livs)?fare\b(?! for at)",
    r"\b(kvale|kvaler|stik|stike|skyde) (mig|ham|hende|dig)\b",
    # English
    r"\bkil\w* (my ?self|me|him|her|someone|somebody|them)\b",
    r"\b(want|wana|going|gona) (to )?die\b",
    r"\b(end|ending|take|taking) my (own )?life\b",
    r"\b(dont|do not|don t) want to (live|be alive)",
    r"\b(dont|do not|don t) want to (be here|exist|wake up)\b.{0,12}\b(anymore|any more|again)\b",
    r"\bwish i (was|were|could be) (dead|gone)\b",
    r"\b(tired|sick) of (living|life|being alive)\b",
    r"\bno (point|reason) (in )?(living|going on)\b",
    r"\b(hurt|harm|cut)\w* my ?self\b",
    r"\bself harm",
    r"\b(hits|beats|hit|beat|beating|hiting) me\b",
    r"\bthreat\w* (to kil|me)\b",
    # "I am in danger", not "in danger of losing my flat"
    r"\bin danger\b(?! of (los|mis|fail|get|being (evic|sanc|fir|kick)))",
    r"\bata(c)?k\w* me\b",
    r"\bover ?dose",
    r"\b(fel|feling|want|wana) (like )?(dying|to die)\b",
    r"\b(hurt|kil|shot|shoot|stab) (someone|somebody|people|him|her|them|you)\b",
    r"\b(gun|weapon)\b",
    r"\b(with|has|holding|pulled|threaten\w*) (a |his |her |me with a )?knife\b",
    r"\bbeter of without me\b",
)
_CRISIS = re.compile("|".join(f"(?:{pattern})" for pattern in _PATTERNS))

# Everyday idioms that contain a crisis word and mean no danger ("jeg keder mig ihjel", "I'm
# dying to know", "this waiting is killing me", a cook's knife): removed before matching. Kept
# narrow on purpose: each names the idiom whole, so a real threat around it still matches.
_IDIOMS = (
    r"\b(keder|kedede|kede|grine|griner|grinte|fryser|fros|arbejder|arbejdet|slider|sled) "
    r"(mig|os|dig|sig) ihjel\b",
    r"\b(slar|slog|sla|slae) (tiden|tid) ihjel\b",
    r"\b(dying|dieing) (to (know|hear|se|find|get|start|try|tel)|for (a|an|some|my))\b",
    r"\b(this|it|that|waiting|the wait|the waiting|my back|my job|work|the pain|this job)"
    r"( is| s| was)? kiling me\b",
    r"\bkok\w*kniv\w*|\bkniv\w* til (kok\w*|madlavning)\b",
)
_IDIOM = re.compile("|".join(f"(?:{pattern})" for pattern in _IDIOMS))


def crisis_matches(text: str) -> bool:
    """True when ``text`` matches a crisis pattern (everyday idioms left out)."""
    return _CRISIS.search(_IDIOM.sub(" ", fold(text))) is not None
