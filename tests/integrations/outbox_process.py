"""One outbox sender in its own process, until killed: the crash tests run this."""

from __future__ import annotations

import asyncio

from bot.runtime.config import load_config
from bot.wiring import build_services


async def main() -> None:
    services = build_services(load_config())
    assert services.channels is not None
    assert services.channels.outbox is not None
    await services.channels.outbox.start()
    print("sender running", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
