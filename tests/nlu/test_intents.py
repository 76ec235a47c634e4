"""What citizens write and what the embedded recognizer makes of it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from nlu.embedded import EmbeddedRecognizer
from nlu.types import FALLBACK_INTENT, INTENTS
from tests.conftest import REFERENCE_TIME


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("hej", "greet"),
        ("jeg vil tale med et menneske", "human_handoff"),
        ("kan jeg tale med en konsulent", "human_handoff"),
        ("hej mit cpr er [CPR fjernet]", "greet"),
        ("mig syg. ikke komme arbejde i morgen", "fravaer"),
        ("FRAVAER", "fravaer"),
        ("jeg er syg idag!!", "fravaer"),
        ("hvor mange ferrie dage har jeg", "feriedage"),
        ("bliver min foertidspention trukket hvis jeg arbejder", "loen_vs_pension"),
        ("jeg vil gerne arbejde på et lager", "jobonsker"),
        ("kan jeg faa en tid paa torsdag", "book_meeting"),
        ("kan vi rykke mødet til fredag", "reschedule_meeting"),
        ("jeg melder afbud til mødet", "cancel_meeting"),
        ("hvornaar er mit moede", "meeting_info"),
        ("hvornår har i åbent", "opening_hours"),
        ("er i aabne imorgen", "opening_hours"),
        ("hvornår har biblioteket åbent", "out_of_scope"),
        ("STOP", "opt_out"),
        ("slet mine data", "privacy"),
        ("tak for hjælpen", "goodbye"),
        ("ja tak", "affirm"),
        ("nej tak", "deny"),
        ("hvordan bliver vejret i morgen", "out_of_scope"),
        ("i want to book an appointment", "book_meeting"),
    ],
)
def test_a_citizen_message_gets_its_intent(
    recognizer: EmbeddedRecognizer, message: str, intent: str
) -> None:
    assert recognizer.parse(message)["intent"]["name"] == intent


@pytest.mark.parametrize(
    "message",
    [
        "jeg tænker på selvmord",
        "jeg taenker paa selvmord",
        "JEG VIL IKKE LEVE MERE",
        "mig ikke vil leve mere",
        "min mand slår mig",
        "i want to kill myself",
        "jeg har taget alle mine piller",
        "hej. jeg skærer i mig selv igen",
        "jeg har ikke lyst til at være her mere",
        "nogle dage håber jeg ikke jeg vågner",
        "jeg er så træt af livet",
        "I don't want to be here anymore",
        "sometimes I wish I was dead",
    ],
)
def test_crisis_is_recognised_however_it_is_written(
    recognizer: EmbeddedRecognizer, message: str
) -> None:
    result = recognizer.parse(message)
    assert result["intent"]["name"] == "crisis"
    assert result["intent_ranking"][0]["name"] == "crisis"


def test_crisis_is_never_lost_to_the_fallback(recognizer: EmbeddedRecognizer) -> None:
    # Even with a threshold no intent can reach, crisis stays crisis.
    strict = EmbeddedRecognizer(recognizer.model, fallback_threshold=1.0)
    assert strict.parse("jeg har det så svært, vil bare dø")["intent"]["name"] == "crisis"


def test_below_the_threshold_the_intent_is_nlu_fallback_as_in_rasa(
    recognizer: EmbeddedRecognizer,
) -> None:
    strict = EmbeddedRecognizer(recognizer.model, fallback_threshold=0.99)
    result = strict.parse("måske en tid eller noget")
    assert result["intent"] == {"name": FALLBACK_INTENT, "confidence": 0.99}
    assert result["intent_ranking"][0]["name"] == FALLBACK_INTENT
    assert result["intent_ranking"][1]["name"] in INTENTS


def test_the_result_has_rasas_parse_shape(recognizer: EmbeddedRecognizer) -> None:
    result = recognizer.parse("kan jeg få en tid i morgen kl 10", now=REFERENCE_TIME)
    assert set(result) == {"text", "intent", "entities", "intent_ranking"}
    assert result["text"] == "kan jeg få en tid i morgen kl 10"
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    ranking = result["intent_ranking"]
    assert len(ranking) == 10
    assert [score["confidence"] for score in ranking] == sorted(
        (score["confidence"] for score in ranking), reverse=True
    )
    assert result["entities"] == [
        {
            "entity": "time",
            "value": "2026-11-24T10:00:00+01:00",
            "start": 18,
            "end": 32,
            "extractor": "BorgerchatRuleExtractor",
            "additional_info": {"grain": "hour"},
        }
    ]


def test_the_model_knows_exactly_the_product_intents(recognizer: EmbeddedRecognizer) -> None:
    assert sorted(recognizer.model.classes) == sorted(INTENTS)


def test_parsing_from_many_threads_gives_the_same_answers(
    recognizer: EmbeddedRecognizer,
) -> None:
    messages = ["hej", "syg i dag", "flyt min tid", "stop", "jeg vil dø"] * 40
    alone = [recognizer.parse(text, now=REFERENCE_TIME) for text in messages]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda text: recognizer.parse(text, now=REFERENCE_TIME), messages))
    assert together == alone


def test_empty_or_symbol_only_text_falls_back(recognizer: EmbeddedRecognizer) -> None:
    assert recognizer.parse("")["intent"]["name"] in (FALLBACK_INTENT, *INTENTS)
    assert recognizer.parse("?!")["text"] == "?!"


@pytest.mark.parametrize("text", ["V", "v", "x", "k", "?", "1"])
def test_a_letter_or_two_that_is_no_known_word_is_never_a_crisis(
    recognizer: EmbeddedRecognizer, text: str
) -> None:
    assert recognizer.parse(text)["intent"]["name"] != "crisis"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("kniv og gaffel", "out_of_scope"),
        ("jeg slog mig på cyklen og kan ikke komme", "fravaer"),
        ("han truer mig med en kniv", "crisis"),
        ("min kæreste slår mig", "crisis"),
        ("I really love my life in Odense", "out_of_scope"),
        ("livet er skønt i dag", "out_of_scope"),
        ("life is not worth living", "crisis"),
        ("livet er ikke værd at leve", "crisis"),
    ],
)
def test_everyday_words_are_no_alarm_but_threats_are(
    recognizer: EmbeddedRecognizer, text: str, intent: str
) -> None:
    assert recognizer.parse(text)["intent"]["name"] == intent
