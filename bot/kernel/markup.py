"""Markup read as text: what the NLU is given when a citizen sends HTML.

A web chat message of tags (``<b>hej</b><script>...</script>``, ``<img src=x onerror=...>``)
must not be classified by the words in its tags: the classifier once read such a message as
``opt_out``. The stored text is the message as sent (escaped when shown); only the NLU reads
the text a browser would show.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A tag, a comment or a declaration starts like this; "a < b" or "<3" does not.
_LOOKS_LIKE_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")
# Elements whose content is code or styling, never words to read.
_NOT_TEXT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg"})
_SPACES = re.compile(r"\s+")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_TEXT:
            self._hidden += 1
        self.parts.append(" ")  # "<p>a</p><p>b</p>" is two words

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_TEXT and self._hidden:
            self._hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def markup_to_text(text: str) -> str:
    """``text`` with tags, comments and script or style content removed; unchanged when it
    has no markup."""
    if not _LOOKS_LIKE_MARKUP.search(text):
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return _SPACES.sub(" ", "".join(parser.parts)).strip()
