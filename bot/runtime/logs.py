"""Logging set-up. Message text is never logged at INFO: log ids and intents, not words."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the moment of logging.

    A handler bound to the stream of its creation keeps writing to it after it is closed (a
    command run in-process by a test, a daemonised server), and every later record becomes a
    "Logging error" traceback.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(level: str = "INFO") -> None:
    handler = _CurrentStderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler logs every run of every job at INFO: every few seconds, forever.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
