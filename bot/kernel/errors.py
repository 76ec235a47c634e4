"""The exception hierarchy of borgerchat, in one place (as python-telegram-bot's ``error.py``)."""

from __future__ import annotations


class BorgerchatError(Exception):
    """Base class of every error borgerchat raises on purpose."""


class ConfigError(BorgerchatError):
    """A setting is missing or wrong; the message names the key and why."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


class InvalidMessage(BorgerchatError):
    """Inbound text that cannot be accepted (empty, too long, not text)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class ContentError(BorgerchatError):
    """A content file is missing a key or is malformed."""
