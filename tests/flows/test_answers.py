"""Topic answers: a checkable source, a reviewed date, an SMS version that fits, no amounts."""

from __future__ import annotations

import re
from datetime import date

import pytest

from flows.content import Content

ANSWER_KEYS = (
    "fravaer",
    "holiday_job",
    "holiday_cash_benefit",
    "holiday_pension",
    "wage_pension_new",
    "wage_pension_old",
    "wage_pension_unknown",
    "wage_flexjob",
    "wage_cash_benefit",
    "jobonsker",
)
# The GSM 03.38 basic alphabet; the extension table's characters cost two septets each.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")
SMS_LIMIT = 306  # two concatenated parts of 153 septets


def gsm7_length(text: str) -> int:
    """Septets needed, or raise when a character forces UCS-2."""
    length = 0
    for char in text:
        if char in GSM7_BASIC:
            length += 1
        elif char in GSM7_EXTENDED:
            length += 2
        else:
            raise ValueError(f"{char!r} is not GSM-7")
    return length


@pytest.fixture(scope="module")
def content() -> Content:
    return Content.load()


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_every_answer_has_source_reviewed_date_and_a_fitting_sms(
    content: Content, language: str, key: str
) -> None:
    entry = content.raw(language, f"topics.{key}")
    assert entry["text"].strip()
    source = str(entry["source"])
    assert re.search(r"\bLov\b|loven\b|borger\.dk", source), source
    assert isinstance(entry["reviewed"], date)
    sms = str(entry["sms"]).strip()
    assert gsm7_length(sms) <= SMS_LIMIT, (key, gsm7_length(sms))
    assert ("Kilde:" if language == "da" else "Source:") in sms


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_no_answer_names_an_amount_of_money(content: Content, language: str, key: str) -> None:
    entry = content.raw(language, f"topics.{key}")
    for text in (entry["text"], entry["sms"]):
        assert not re.search(r"\d[\d.]*\s*(kr|kroner|DKK)\b", str(text), re.I), text


def test_gsm7_length_counts_extended_characters_twice_and_refuses_emoji() -> None:
    assert gsm7_length("Hej æøå") == 7
    assert gsm7_length("€") == 2
    with pytest.raises(ValueError, match="GSM-7"):
        gsm7_length("Hej 🙂")
