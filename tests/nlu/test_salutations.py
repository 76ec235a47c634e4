"""Greetings and sign-offs around a message do not decide its intent."""

from __future__ import annotations

import pytest

from nlu.embedded import EmbeddedRecognizer
from nlu.salutations import strip_salutations
from tests.conftest import REFERENCE_TIME


@pytest.mark.parametrize(
    ("letter", "message"),
    [
        ("torsdag kl 10 tak", "torsdag kl 10"),
        ("Hej Lone, jeg kan ikke komme i morgen", "jeg kan ikke komme i morgen"),
        ("Jeg er syg i dag. Tak på forhånd. Mvh Mikkel Hansen", "Jeg er syg i dag"),
        ("Hej, jeg kan ikke komme mvh Ole", "jeg kan ikke komme"),
        ("hej jeg kan ikke komme mvh Ole", "hej jeg kan ikke komme"),
        ("Kære jobcenter\nHar jeg ret til ferie?\nHilsen Mette", "Har jeg ret til ferie?"),
        ("Kan jeg få en tid? Med venlig hilsen Mikkel", "Kan jeg få en tid?"),
        ("Hi, I am sick today.\nKind regards, John Smith", "I am sick today"),
        ("Dear Sir or Madam, I cannot come", "I cannot come"),
        ("When are you open? Thanks in advance", "When are you open?"),
        ("Jeg vil tale med en medarbejder. Tak for hjælpen", "Jeg vil tale med en medarbejder"),
        ("Hej, det er Karin. Jeg er syg i dag", "Jeg er syg i dag"),
        ("Hi, this is John Smith. I cannot come", "I cannot come"),
        ("Hej, jeg hedder Ali, kan jeg få en tid?", "kan jeg få en tid?"),
        ("Hej, I am sick today", "I am sick today"),  # "Sick" is no name
    ],
)
def test_the_greeting_and_the_sign_off_are_taken_off(letter: str, message: str) -> None:
    assert strip_salutations(letter) == message


@pytest.mark.parametrize(
    "message",
    [
        "hej",
        "mvh",
        "Med venlig hilsen Mikkel",
        "Tak på forhånd",
        "nej tak",
        "ellers tak",
        "I write with regards to my meeting",
        "what is best for me",
        "Hilsen fra Ole: kan jeg få en tid",
        "Goddag, det er Karin",
    ],
)
def test_a_message_that_is_only_courtesy_or_uses_the_words_otherwise_is_kept(
    message: str,
) -> None:
    assert strip_salutations(message) == message


@pytest.mark.parametrize("message", ["Goddag, det er Karin", "Hello, this is John"])
def test_a_greeting_with_an_introduction_is_a_greeting(
    recognizer: EmbeddedRecognizer, message: str
) -> None:
    assert recognizer.parse(message, now=REFERENCE_TIME)["intent"]["name"] == "greet"


def test_a_time_with_thanks_is_a_booking_not_a_goodbye(recognizer: EmbeddedRecognizer) -> None:
    result = recognizer.parse("torsdag kl 10 tak", now=REFERENCE_TIME)
    assert result["intent"]["name"] == "book_meeting"
    assert result["text"] == "torsdag kl 10 tak"  # the citizen's own words are kept


def test_a_greeting_with_a_name_does_not_weigh_on_the_intent(
    recognizer: EmbeddedRecognizer,
) -> None:
    greeted = recognizer.parse(
        "Hej Lone, jeg kan ikke komme til mødet i morgen", now=REFERENCE_TIME
    )
    bare = recognizer.parse("jeg kan ikke komme til mødet i morgen", now=REFERENCE_TIME)
    assert greeted["intent"]["name"] == "cancel_meeting"
    assert greeted["intent_ranking"] == bare["intent_ranking"]


def test_crisis_is_read_in_the_whole_letter(recognizer: EmbeddedRecognizer) -> None:
    result = recognizer.parse("Hej Lone, jeg vil ikke leve mere. Mvh Mikkel", now=REFERENCE_TIME)
    assert result["intent"]["name"] == "crisis"
