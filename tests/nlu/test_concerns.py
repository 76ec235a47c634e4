"""A letter's concerns, sentence by sentence."""

from __future__ import annotations

from nlu.concerns import ConcernReader, sentences
from nlu.embedded import EmbeddedRecognizer
from tests.conftest import REFERENCE_TIME

LETTER = (
    "Hej Lone\nJeg har været syg siden mandag og kan ikke komme til aktivering i denne uge. "
    "Jeg vil også gerne vide, hvor mange feriedage jeg har tilbage i år. Derudover vil jeg gerne "
    "flytte mit møde den 3. december, da jeg skal til lægen. Og hvad må jeg tjene ved siden af "
    "min kontanthjælp, hvis jeg tager et par timer i en butik?\nMed venlig hilsen Mikkel"
)


def test_a_letter_is_split_into_sentences_without_greeting_sign_off_or_dates() -> None:
    assert sentences(LETTER) == [
        "Jeg har været syg siden mandag og kan ikke komme til aktivering i denne uge.",
        "Jeg vil også gerne vide, hvor mange feriedage jeg har tilbage i år.",
        "Derudover vil jeg gerne flytte mit møde den 3. december, da jeg skal til lægen.",
        "Og hvad må jeg tjene ved siden af min kontanthjælp, hvis jeg tager et par timer i en "
        "butik?",
    ]


def test_each_sentence_of_a_letter_is_a_concern(recognizer: EmbeddedRecognizer) -> None:
    result = ConcernReader(recognizer).parse(LETTER, now=REFERENCE_TIME)
    assert [score["name"] for score in result["concerns"]] == [
        "fravaer",
        "feriedage",
        "reschedule_meeting",
        "loen_vs_pension",
    ]
    assert result["text"] == LETTER
    assert result["intent"] == recognizer.parse(LETTER, now=REFERENCE_TIME)["intent"]


def test_a_one_sentence_message_has_no_concerns_added(recognizer: EmbeddedRecognizer) -> None:
    result = ConcernReader(recognizer).parse("jeg er syg i dag. Mvh Mikkel", now=REFERENCE_TIME)
    assert "concerns" not in result


def test_courtesy_sentences_are_no_concerns(recognizer: EmbeddedRecognizer) -> None:
    result = ConcernReader(recognizer).parse(
        "Jeg er syg i dag. Tak for hjælpen til sidst. Ha en god dag alle sammen.",
        now=REFERENCE_TIME,
    )
    assert [score["name"] for score in result.get("concerns", [])] == ["fravaer"]


def test_a_crisis_in_one_sentence_is_a_concern(recognizer: EmbeddedRecognizer) -> None:
    text = (
        "Jeg har været syg siden mandag og kan ikke komme til aktivering. Jeg vil også gerne "
        "flytte mit møde på torsdag. Hvor mange feriedage har jeg tilbage? Jeg orker ikke mere."
    )
    result = ConcernReader(recognizer).parse(text, now=REFERENCE_TIME)
    assert "crisis" in [score["name"] for score in result["concerns"]]
