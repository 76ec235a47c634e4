"""The language a citizen writes or asks for: Danish or English, from the words alone."""

from __future__ import annotations

from flows.reading import fold

_ENGLISH_WORDS = (
    "i am my is the a an to of and what how can you please want would like have do does when "
    "where meeting sick ill holiday holidays work job pension talk person hello hi thanks thank "
    "book cancel move need help english will it this that with for me"
)
# "i" is Danish too ("er i åbne i morgen"): counted for both, it cannot tip a Danish message.
_DANISH_WORDS = (
    "jeg er min mit mine det en et at af og i hvad hvordan kan du vil gerne har hvornar hvor "
    "mode tid syg ferie arbejde job pension tale med hej tak booke flytte aflyse dansk ikke "
    "skal ma til pa den der som fra"
)
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_DANISH = frozenset(_DANISH_WORDS.split())
_NAMES_OF_ENGLISH = frozenset({"english", "engelsk", "englisch"})
_NAMES_OF_DANISH = frozenset({"dansk", "danish"})


def language_asked_for(text: str) -> str | None:
    """ "English please", "på dansk": the language the citizen asks for, if any."""
    tokens = fold(text).split()
    if len(tokens) > 8:
        return None
    named = set(tokens)
    return "en" if named & _NAMES_OF_ENGLISH else "da" if named & _NAMES_OF_DANISH else None


def written_language(text: str) -> str | None:
    """ "en" or "da" when the words clearly say so; None for short or mixed messages."""
    tokens = [token for token in fold(text).split() if not token.isdigit()]
    if " ".join(tokens) in {"hi", "hello", "hi there", "hello there", "good morning"}:
        return "en"  # a greeting alone says enough
    english = sum(1 for token in tokens if token in _ENGLISH)
    danish = sum(1 for token in tokens if token in _DANISH)
    if english >= 2 and english > danish:
        return "en"
    if danish >= 2 and danish > english:
        return "da"
    return None
