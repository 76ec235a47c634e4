"""Inbound text is cleaned before anything stores it."""

from __future__ import annotations

import pytest

from bot.kernel.errors import InvalidMessage
from bot.kernel.text import check_address, clean_text


def test_nul_and_control_characters_are_stripped() -> None:
    assert clean_text("syg\x00 i\x07 dag\x1b", max_chars=100) == "syg i dag"


def test_zero_width_and_bidi_characters_are_stripped() -> None:
    assert clean_text("h\u200bej\u202e", max_chars=100) == "hej"


def test_newlines_survive_but_blank_runs_are_folded() -> None:
    assert clean_text("a\r\n\r\n\r\n\r\nb", max_chars=100) == "a\n\nb"


def test_decomposed_danish_letters_are_normalised() -> None:
    assert clean_text("fra\u0301", max_chars=10) == "frá"
    assert clean_text("a\u030a", max_chars=10) == "å"


def test_lone_surrogates_are_dropped() -> None:
    assert clean_text("hej\ud800", max_chars=10) == "hej"


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "\u200b"])
def test_empty_text_is_refused(raw: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        clean_text(raw, max_chars=100)
    assert caught.value.code == "empty_text"


def test_text_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidMessage) as caught:
        clean_text("a" * 4097, max_chars=4096)
    assert caught.value.code == "text_too_long"
    assert clean_text("a" * 4096, max_chars=4096) == "a" * 4096


@pytest.mark.parametrize(
    ("channel", "address"),
    [
        ("sms", "12345678"),
        ("sms", "+45 1234 5678"),
        ("sms", "+4512345678901234567"),
        ("web", ""),
        ("web", "a b"),
        ("telegram", "x" * 256),
        ("web", "sess\x00ion"),
    ],
)
def test_addresses_a_transport_would_never_send_are_refused(channel: str, address: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        check_address(channel, address)
    assert caught.value.code == "invalid_address"


def test_real_addresses_pass() -> None:
    assert check_address("sms", "+4512345678") == "+4512345678"
    assert check_address("telegram", "-100123456") == "-100123456"
    assert check_address("web", "websession-0001") == "websession-0001"
