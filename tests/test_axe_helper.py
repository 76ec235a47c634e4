"""The axe-core helper fails a page that breaks WCAG badly and lets a clean one pass."""

from __future__ import annotations

from typing import Any

import pytest

from tests.axe import assert_accessible
from tests.bot.inbox.test_browser import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_a_page_without_language_and_an_image_without_text_fails(browser: Any) -> None:  # noqa: F811
    page = browser.new_context().new_page()
    page.set_content("<html><body><img src='x.png'></body></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, "a bad page")


def test_a_plain_titled_danish_page_passes(browser: Any) -> None:  # noqa: F811
    page = browser.new_context().new_page()
    page.set_content(
        "<html lang='da'><head><title>Hej</title></head>"
        "<body><main><h1>Hej</h1><p>Velkommen.</p></main></body></html>"
    )
    assert assert_accessible(page, "a clean page") == []
