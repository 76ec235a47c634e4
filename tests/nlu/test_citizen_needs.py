"""The needs citizens write about beyond the core topics (issue 16), and the traps around them."""

from __future__ import annotations

import pytest

from nlu.embedded import EmbeddedRecognizer


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("jeg forstaar ikke det brev kommunen har sendt mig", "letter_help"),
        ("what does the partshøring in my e-boks mean", "letter_help"),
        ("jeg vil klage over at i har trukket mig i kontanthjælp", "complaint"),
        ("how do I appeal to Ankestyrelsen", "complaint"),
        ("må min kæreste komme med som bisidder", "companion"),
        ("can my support worker have power of attorney", "companion"),
        ("hvornår bliver kontanthjælpen udbetalt i januar", "benefit_amount"),
        ("what is the rate for education assistance", "benefit_amount"),
        ("hvor lang tid tager min sag om fleksjob", "case_status"),
        ("who decides on my early retirement application", "case_status"),
        ("kan jeg faa en tolk paa farsi til samtalen", "meeting_prep"),
        ("can we do my next meeting by video instead", "meeting_prep"),
    ],
)
def test_the_needs_of_issue_16_get_their_own_intent(
    recognizer: EmbeddedRecognizer, message: str, intent: str
) -> None:
    assert recognizer.parse(message)["intent"]["name"] == intent


@pytest.mark.parametrize(
    "message",
    [
        "hjælper kommunen med at betale briller",
        "hvornår kommer pengene fra skat tilbage",
        "can I be exempted from Digital Post, I find it too hard",
        "where do I renew my passport",
    ],
)
def test_an_ordinary_kommune_question_is_no_core_topic(
    recognizer: EmbeddedRecognizer, message: str
) -> None:
    assert recognizer.parse(message)["intent"]["name"] in ("out_of_scope", "nlu_fallback")


@pytest.mark.parametrize(
    "message",
    [
        "jeg keder mig ihjel derhjemme",
        "I'm dying to know if I got the job",
        "this waiting is killing me",
        "jeg er i fare for at miste min lejlighed",
        "I can't manage Digital Post",
        "I don't want to be here all day, can the meeting be shorter?",
        "jeg er træt af at vente på svar",
    ],
)
def test_strong_everyday_words_are_no_crisis(recognizer: EmbeddedRecognizer, message: str) -> None:
    assert recognizer.parse(message)["intent"]["name"] != "crisis"


@pytest.mark.parametrize(
    "message",
    [
        "jeg keder mig og vil slå mig selv ihjel",
        "he is killing me",
        "jeg er i fare, han har en kniv",
    ],
)
def test_a_real_threat_next_to_an_idiom_is_still_a_crisis(
    recognizer: EmbeddedRecognizer, message: str
) -> None:
    assert recognizer.parse(message)["intent"]["name"] == "crisis"


@pytest.mark.parametrize(
    "message",
    [
        "Hej, jeg modtager kontanthjælp",
        "goddag jeg er fleksjobber på 8 timer",
        "Hej. Vi er netop flyttet til kommunen",
        "Hello, I got disability pension last month",
    ],
)
def test_a_greeting_with_the_citizens_situation_and_no_request_is_a_greeting(
    recognizer: EmbeddedRecognizer, message: str
) -> None:
    assert recognizer.parse(message)["intent"]["name"] == "greet"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Hej, jeg modtager kontanthjælp. Hvilken dato kommer pengene?", "benefit_amount"),
        ("goddag jeg er fleksjobber og er syg i dag", "fravaer"),
        ("Hej, vi er lige flyttet hertil, og jeg vil gerne have en tid hos jer", "book_meeting"),
    ],
)
def test_the_request_after_the_situation_decides(
    recognizer: EmbeddedRecognizer, message: str, intent: str
) -> None:
    assert recognizer.parse(message)["intent"]["name"] == intent


def test_moving_house_is_not_moving_a_meeting(recognizer: EmbeddedRecognizer) -> None:
    assert recognizer.parse("vi flytter til en anden by i marts")["intent"]["name"] != (
        "reschedule_meeting"
    )
