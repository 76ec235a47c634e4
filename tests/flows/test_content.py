"""Content files: every Danish text has an English twin with the same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kernel.errors import ContentError
from flows.content import CONTENT_DIR, Content


def test_the_shipped_content_loads_and_english_matches_danish_placeholders() -> None:
    content = Content.load()
    for path in sorted((CONTENT_DIR / "da").glob("*.yml")):
        import yaml

        for key in yaml.safe_load(path.read_text(encoding="utf-8")) or {}:
            dotted = f"{path.stem}.{key}"
            assert content.has("en", dotted), dotted
            assert content.placeholders("da", dotted) == content.placeholders("en", dotted)


def test_a_missing_english_text_is_refused_at_load(tmp_path: Path) -> None:
    (tmp_path / "da").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "da" / "core.yml").write_text("hello: Hej\n", encoding="utf-8")
    (tmp_path / "en" / "core.yml").write_text("other: x\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"core\.hello"):
        Content.load(tmp_path)


def test_a_missing_placeholder_value_is_a_content_error(tmp_path: Path) -> None:
    for language in ("da", "en"):
        (tmp_path / language).mkdir()
        (tmp_path / language / "t.yml").write_text("x: Hej {name}\n", encoding="utf-8")
    with pytest.raises(ContentError, match="name"):
        Content.load(tmp_path).text("da", "t.x")


def test_an_english_text_with_other_placeholders_is_refused_at_load(tmp_path: Path) -> None:
    for language, text in (("da", "Hej {name}"), ("en", "Hello {navn}")):
        (tmp_path / language).mkdir()
        (tmp_path / language / "t.yml").write_text(f"x: {text}\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"placeholders differ.*t\.x"):
        Content.load(tmp_path)
