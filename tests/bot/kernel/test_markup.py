"""Markup is read as the text a browser shows; text without markup is left as it is."""

from __future__ import annotations

import pytest

from bot.kernel.markup import markup_to_text


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("<b>hej</b><script>alert('stop')</script>", "hej"),
        ("<img src=x onerror=alert(1)>", ""),
        ("<p>jeg er syg</p><p>i dag</p>", "jeg er syg i dag"),
        ("<!-- afmeld --> hvornår er mit møde", "hvornår er mit møde"),
        ("<style>body{}</style><i>book en tid</i>", "book en tid"),
        ("<b>ikke lukket", "ikke lukket"),
        ("<a href='x'>R&amp;D</a>", "R&D"),
    ],
)
def test_markup_is_read_as_its_text(sent: str, read: str) -> None:
    assert markup_to_text(sent) == read


@pytest.mark.parametrize(
    "text",
    ["jeg tjener <3000 kr", "a < b og b > c", "hej <3", "R&D &amp; mere", "10 > 5"],
)
def test_text_without_markup_is_unchanged(text: str) -> None:
    assert markup_to_text(text) == text
