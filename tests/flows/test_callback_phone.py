"""A phone callback asks for a Danish number when none is known, and checks it."""

from __future__ import annotations

import pytest

from flows.callback_phone import danish_phone


@pytest.mark.parametrize(
    ("written", "phone"),
    [
        ("20304050", "+4520304050"),
        ("20 30 40 50", "+4520304050"),
        ("+45 20 30 40 50", "+4520304050"),
        ("0045-2030-4050", "+4520304050"),
        ("  91.23.45.67 ", "+4591234567"),
    ],
)
def test_a_danish_number_is_read_however_it_is_spaced(written: str, phone: str) -> None:
    assert danish_phone(written) == phone


@pytest.mark.parametrize(
    "written", ["1234567", "203040501", "02030405", "12345678", "+46 20304050", "ring mig"]
)
def test_what_is_no_danish_number_is_refused(written: str) -> None:
    assert danish_phone(written) is None
