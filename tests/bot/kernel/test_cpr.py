"""CPR numbers are masked; other numbers are left alone."""

from __future__ import annotations

import pytest

from bot.kernel.cpr import CPR_MASK, mask_cpr


@pytest.mark.parametrize(
    "text",
    ["mit cpr er 010190-1234", "0101901234", "cpr: 311299 4321 tak", "010190-4234 og mere"],
)
def test_cpr_numbers_with_a_real_date_are_masked(text: str) -> None:
    result = mask_cpr(text)
    assert result.cpr_found
    assert CPR_MASK in result.text
    assert not any(run in result.text for run in ("1234", "4321", "4234"))


@pytest.mark.parametrize(
    "text",
    [
        "ring på 70201201",  # a phone number: 8 digits
        "320190-1234",  # day 32
        "011390-1234",  # month 13
        "290221-1234",  # 29 Feb 1921 did not exist
        "kontonr 12345678901234",  # a longer digit run
        "tid 10-12",
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    result = mask_cpr(text)
    assert not result.cpr_found
    assert result.text == text


def test_leap_day_in_a_leap_year_is_a_valid_cpr() -> None:
    assert mask_cpr("290200-4321").cpr_found
