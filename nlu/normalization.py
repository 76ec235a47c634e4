"""Folding of citizen text so spelling variants meet: the classifier only ever sees folded text.

Citizens write "fravær", "fravaer", "fravar" and "FRAVÆÆR" for the same word, on phones without
a Danish keyboard. Folding lower-cases, maps æ/ø/å and their ae/oe/aa spellings to plain a/o,
drops punctuation, replaces digit runs by one placeholder and collapses repeated letters
("ferrie" -> "ferie"), so all of these become one token. It is lossy on purpose: the classifier
never needs to tell "mode" from "møde".
"""

from __future__ import annotations

import re
import unicodedata

from bot.kernel.cpr import CPR_MASK

_LETTER_MAP = str.maketrans(
    {"æ": "a", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "é": "e", "è": "e", "ß": "s"}
)
# Emoji that carry an answer; other symbols are dropped.
_EMOJI_WORDS = str.maketrans(
    {"👍": " ok ", "👌": " ok ", "✅": " ok ", "👎": " nej ", "❌": " nej ", "🙏": " tak ",
     "😂": " haha ", "🤣": " haha ", "👋": " hej "}
)  # fmt: skip
_DIGRAPHS = re.compile(r"ae|oe|aa")
_DIGRAPH_MAP = {"ae": "a", "oe": "o", "aa": "a"}
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_REPEATS = re.compile(r"([a-z])\1+")


def fold(text: str) -> str:
    """Return the folded form of ``text``: lower-case ASCII words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace(CPR_MASK.lower(), " ")
    text = text.translate(_LETTER_MAP).translate(_EMOJI_WORDS)
    text = _DIGRAPHS.sub(lambda match: _DIGRAPH_MAP[match.group(0)], text)
    text = _NON_WORD.sub(" ", text)
    text = _DIGITS.sub("0", text)
    text = _REPEATS.sub(r"\1", text)
    return " ".join(text.split())
