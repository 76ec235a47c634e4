"""SMS text: GSM-7, numbered choices, and cut to the segment limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.gsm7 import GSM7, septets, sms_parts
from integrations.twilio.outbound import format_sms


def test_a_long_text_is_cut_to_two_segments_but_keeps_its_choices() -> None:
    long_text = " ".join(["Her er en lang forklaring om ferie"] * 20)
    body = format_sms(long_text, ("Ja", "Nej"), max_segments=2)

    assert sms_parts(body) <= 2
    assert septets(body) <= 306
    assert body.endswith("...\n1. Ja\n2. Nej")


gsm_alphabet = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=800
)


@given(gsm_alphabet, st.lists(st.text(max_size=40), max_size=4))
def test_any_bot_text_becomes_gsm7_within_the_segment_limit(text: str, choices: list[str]) -> None:
    body = format_sms(text, tuple(choices), max_segments=2)
    assert set(body) <= GSM7
    assert sms_parts(body) <= 2
