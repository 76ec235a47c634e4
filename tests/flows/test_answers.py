"""Topic answers: a checkable source, a reviewed date, an SMS version that fits, no amounts."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.kernel.gsm7 import septets
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
SMS_LIMIT = 306  # two concatenated parts of 153 septets


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
    assert septets(sms) <= SMS_LIMIT, (key, septets(sms))
    assert ("Kilde:" if language == "da" else "Source:") in sms


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_no_answer_names_an_amount_of_money(content: Content, language: str, key: str) -> None:
    entry = content.raw(language, f"topics.{key}")
    for text in (entry["text"], entry["sms"]):
        assert not re.search(r"\d[\d.]*\s*(kr|kroner|DKK)\b", str(text), re.I), text
