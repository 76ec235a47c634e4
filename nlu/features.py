"""The classifier's features: word unigrams and bigrams, word prefixes and character n-grams.

Pure Python so that training (scikit-learn, in its own process) and serving (numpy) compute
exactly the same features. Character n-grams inside word boundaries carry most of the
tolerance to misspelling; word features carry the meaning of short, clean messages; character
n-grams across a word boundary survive SMS-style merged words ("vilsla mig" for "vil slå mig").
"""

from __future__ import annotations

# Bump when the features change: it is part of the model fingerprint, so models retrain.
FEATURE_VERSION = "4"

CHAR_NGRAM_MIN = 2
CHAR_NGRAM_MAX = 5
PREFIX_CHARS = 5
CROSS_NGRAM_SIZES = (4, 5)


def extract_features(folded: str) -> set[str]:
    """The binary features of one folded text (see :func:`nlu.normalization.fold`)."""
    words = folded.split()
    if not words:
        return set()
    found: set[str] = set()
    for index, word in enumerate(words):
        found.add("w:" + word)
        if len(word) > PREFIX_CHARS:
            found.add("p:" + word[:PREFIX_CHARS])
        if index:
            found.add("b:" + words[index - 1] + "_" + word)
        padded = f" {word} "
        length = len(padded)
        for size in range(CHAR_NGRAM_MIN, CHAR_NGRAM_MAX + 1):
            for start in range(length - size + 1):
                found.add("c:" + padded[start : start + size])
    padded_text = f" {folded} "
    for size in CROSS_NGRAM_SIZES:
        for start in range(len(padded_text) - size + 1):
            gram = padded_text[start : start + size]
            if " " in gram[1:-1]:
                found.add("x:" + gram)
    found.add("first:" + words[0])
    if len(words) <= 2:
        found.add("short")
    return found
