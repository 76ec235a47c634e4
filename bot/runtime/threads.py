"""The one way blocking work (database transactions, SDK calls) runs off the event loop.

``run_blocking(work)`` awaits ``work()`` in a worker thread. Give it a ``ThreadPool`` to bound
how many such jobs run at once (the message pipeline does); without one it uses anyio's shared
pool. Either way the work runs to its end even when the awaiting task is cancelled.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio.to_thread

T = TypeVar("T")


class ThreadPool:
    """At most ``max_workers`` threads, started on first use and stopped by ``close``."""

    def __init__(self, max_workers: int, *, name: str) -> None:
        self.max_workers = max_workers
        self.name = name
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.max_workers, thread_name_prefix=self.name
                )
            return self._executor

    def close(self) -> None:
        """Stop the threads once the work given them is done; a later job starts them again."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


async def run_blocking(work: Callable[[], T], *, pool: ThreadPool | None = None) -> T:
    """``work()`` in a worker thread: ``pool``'s, or anyio's shared one."""
    if pool is None:
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=False)
    return await asyncio.get_running_loop().run_in_executor(pool.executor(), work)
