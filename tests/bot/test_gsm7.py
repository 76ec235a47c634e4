"""GSM-7: Danish fits one 160-character SMS; curly quotes and emoji are converted or cost UCS-2."""

from __future__ import annotations

import pytest

from bot.gsm7 import gsm7_length, max_septets, septets, sms_parts, to_gsm7


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
