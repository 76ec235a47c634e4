"""User-facing text, loaded from YAML files per language (``flows/content/<lang>/*.yml``).

A jobcenter edits these files, not the code. Keys are dotted: ``core.greeting`` is the key
``greeting`` in ``core.yml``. Values are strings with ``{name}`` placeholders, or mappings
(answers with a source and an SMS version).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from bot.kernel.errors import ContentError

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LANGUAGES = ("da", "en")


class Content:
    """All content files of every language, checked at load time."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        self._entries = entries

    @classmethod
    def load(cls, directory: Path = CONTENT_DIR) -> Content:
        entries: dict[str, dict[str, Any]] = {}
        for language in LANGUAGES:
            flat: dict[str, Any] = {}
            folder = directory / language
            if not folder.is_dir():
                raise ContentError(f"content folder missing: {folder}")
            for path in sorted(folder.glob("*.yml")):
                try:
                    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                except yaml.YAMLError as exc:
                    raise ContentError(f"{path}: not valid YAML ({exc})") from exc
                if not isinstance(data, dict):
                    raise ContentError(f"{path}: must be a mapping of keys")
                for key, value in data.items():
                    flat[f"{path.stem}.{key}"] = value
            entries[language] = flat
        missing = set(entries["da"]) - set(entries["en"])
        if missing:
            raise ContentError(f"English content lacks: {', '.join(sorted(missing))}")
        content = cls(entries)
        # A translation that drops or renames a placeholder fails at its first use otherwise.
        mismatched = [
            key
            for key in sorted(entries["da"])
            if content.placeholders("da", key) != content.placeholders("en", key)
        ]
        if mismatched:
            raise ContentError(
                f"English placeholders differ from Danish in: {', '.join(mismatched)}"
            )
        return content

    def keys(self, language: str) -> list[str]:
        return sorted(self._entries.get(language, {}))

    def has(self, language: str, key: str) -> bool:
        return key in self._entries.get(language, {})

    def raw(self, language: str, key: str) -> Any:
        """The entry as written (a string or a mapping); Danish when the language lacks it."""
        for lang in (language, "da"):
            entries = self._entries.get(lang, {})
            if key in entries:
                return entries[key]
        raise ContentError(f"no content for {key!r}")

    def text(self, language: str, key: str, **params: object) -> str:
        """The string at ``key`` with its ``{placeholders}`` filled in."""
        value = self.raw(language, key)
        if not isinstance(value, str):
            raise ContentError(f"content {key!r} is not a plain text")
        try:
            return value.format(**params).strip()
        except (KeyError, IndexError) as exc:
            raise ContentError(f"content {key!r} needs the parameter {exc}") from exc

    def placeholders(self, language: str, key: str) -> set[str]:
        value = self.raw(language, key)
        if not isinstance(value, str):
            return set()
        return {name for _, name, _, _ in Formatter().parse(value) if name}
