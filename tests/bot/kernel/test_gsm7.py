"""GSM-7: Danish fits one 160-character SMS; curly quotes and emoji are converted or cost UCS-2."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.gsm7 import (
    GSM7,
    GSM7_EXTENSION,
    gsm7_length,
    max_septets,
    septets,
    sms_parts,
    to_gsm7,
)


def test_danish_letters_are_gsm7_and_extension_characters_count_twice() -> None:
    assert gsm7_length("Nørregade, Århus, Æblevej") == 25
    assert gsm7_length("Hej æøå") == 7
    assert gsm7_length("€") == 2


def test_emoji_and_curly_quotes_are_not_gsm7() -> None:
    assert gsm7_length("Hej 🙂") is None
    assert gsm7_length("“FLYT”") is None
    with pytest.raises(ValueError, match="not GSM-7"):
        septets("Hej 🙂")


def test_one_part_holds_160_septets_and_a_split_message_153_per_part() -> None:
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2
    assert sms_parts("a" * 306) == 2
    assert sms_parts("a" * 307) == 3
    assert sms_parts("€" * 80) == 1
    assert sms_parts("€" * 81) == 2
    assert (max_septets(1), max_septets(2)) == (160, 306)


def test_one_emoji_makes_the_whole_text_ucs2_with_70_or_67_per_part() -> None:
    assert sms_parts("ø" * 69 + "🙂") == 2  # the emoji is two UTF-16 units: 71
    assert sms_parts("ø" * 68 + "🙂") == 1
    assert sms_parts("ø" * 132 + "🙂") == 2
    assert sms_parts("ø" * 133 + "🙂") == 3


def test_curly_quotes_dashes_and_emoji_become_gsm7() -> None:
    text = "“Hej” – du har tid i morgen… 🙂 Mød op på Åboulevarden ‘kl. 10’ 👍"
    assert to_gsm7(text) == "\"Hej\" - du har tid i morgen... Mød op på Åboulevarden 'kl. 10'"


def test_danish_letters_stay_as_they_are() -> None:
    text = "æøå ÆØÅ " * 20
    assert to_gsm7(text) == text.strip()
    assert sms_parts(text.strip()) == 1


GSM7_TEXT = st.text(alphabet=sorted(GSM7), max_size=300)


@given(st.one_of(GSM7_TEXT, st.text(max_size=300)))
def test_any_text_becomes_tidy_gsm7_and_converting_it_again_changes_nothing(text: str) -> None:
    converted = to_gsm7(text)
    assert GSM7.issuperset(converted)
    assert "  " not in converted
    assert " \n" not in converted
    assert converted == converted.strip()
    assert to_gsm7(converted) == converted


@given(st.one_of(GSM7_TEXT, st.text(max_size=300)))
def test_a_text_costs_one_septet_per_character_and_two_per_extension_character(
    text: str,
) -> None:
    if not GSM7.issuperset(text):
        assert gsm7_length(text) is None
        return
    assert gsm7_length(text) == len(text) + sum(char in GSM7_EXTENSION for char in text)


@given(GSM7_TEXT)
def test_gsm7_text_keeps_its_words_and_loses_only_extra_spaces(text: str) -> None:
    assert to_gsm7(text).split() == text.split()
