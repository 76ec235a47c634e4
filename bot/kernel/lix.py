"""LIX, the Scandinavian readability index: words per sentence plus the share of long words.

``LIX = words / sentences + 100 * long_words / words``, where a long word has more than six
letters and a sentence ends at ``.``, ``!``, ``?``, ``:`` or a line break after text. Under 25 is
easy reading (children's books), 35 is plain public information, over 45 is hard.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# A URL or an e-mail address is read as one word, not as many long ones.
_ADDRESS = re.compile(r"https?://\S+|\S+@\S+|\b\S+\.(?:dk|com|org|eu)\S*")
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n+")
LONG_WORD_LETTERS = 6


def words(text: str) -> list[str]:
    """The words of ``text``, addresses counted as one short word each."""
    return _WORD.findall(_ADDRESS.sub(" adr ", text))


def lix(text: str) -> float:
    """The LIX of ``text``; 0.0 for a text without words."""
    found = words(text)
    if not found:
        return 0.0
    plain = _ADDRESS.sub(" adr ", text).strip()
    ends = [m for m in _SENTENCE_END.finditer(plain) if m.start() > 0]
    sentences = len(ends) + (0 if ends and ends[-1].end() >= len(plain) else 1)
    long_words = sum(1 for word in found if len(word.replace("-", "")) > LONG_WORD_LETTERS)
    return len(found) / sentences + 100 * long_words / len(found)
