"""Background workers that live as long as the web app (outbox sender, reminder scheduler)."""

from __future__ import annotations

from typing import Protocol


class BackgroundWorker(Protocol):
    """Started when the app starts and stopped, gracefully, when it stops."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
