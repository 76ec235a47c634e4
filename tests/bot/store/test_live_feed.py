"""The change feed wakes the live pages when something was committed, in this process or in
another one (a second engine on the same database stands for another server process: on
SQLite its data_version poller sees the commit, on PostgreSQL its LISTEN connection hears the
NOTIFY), and not for a transaction that only read."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import Engine, select

from bot.store.db import create_session_factory, transaction
from bot.store.live import ChangeFeed
from bot.store.models import Team
from tests.database import make_engine


@pytest.fixture
def other_process(database_url: str, engine: Engine) -> Iterator[Engine]:
    other = make_engine(database_url)
    yield other
    other.dispose()


def add_team(engine: Engine, name: str) -> None:
    with transaction(create_session_factory(engine)) as db:
        db.add(Team(name=name))


def read_teams(engine: Engine) -> None:
    with transaction(create_session_factory(engine)) as db:
        db.scalars(select(Team)).all()


async def started(feed: ChangeFeed) -> AsyncIterator[ChangeFeed]:
    await feed.start()
    try:
        yield feed
    finally:
        await feed.stop()
        feed.close()


def test_a_commit_here_wakes_the_feed_and_a_read_does_not(engine: Engine) -> None:
    async def scenario() -> tuple[int, int]:
        async for feed in started(ChangeFeed(engine)):
            await asyncio.sleep(0.5)  # PostgreSQL: listening (which wakes it once)
            await feed.wait(feed.version, 1.5)  # on a busy machine that wake may come late
            seen = feed.version
            await asyncio.to_thread(read_teams, engine)
            after_read = await feed.wait(seen, 0.5)
            await asyncio.to_thread(add_team, engine, "Jobcenter Nord")
            after_write = await feed.wait(after_read, 3)
            return after_read - seen, after_write - after_read
        raise AssertionError("not started")

    read_changes, write_changes = asyncio.run(scenario())
    assert write_changes >= 1
    # A read wakes nothing of its own (the SQLite poller may not be quicker than a commit).
    assert read_changes == 0


def test_a_commit_in_another_process_wakes_this_one(engine: Engine, other_process: Engine) -> None:
    async def scenario() -> int:
        async for feed in started(ChangeFeed(engine, poll_seconds=0.05)):
            await asyncio.sleep(0.3)  # listening
            other_feed = ChangeFeed(other_process)  # the other process notifies its commits
            async for _ in started(other_feed):
                seen = feed.version
                await asyncio.to_thread(add_team, other_process, "Jobcenter Syd")
                return await feed.wait(seen, 5) - seen
        raise AssertionError("not started")

    assert asyncio.run(scenario()) >= 1


def test_a_closed_feed_no_longer_listens_to_the_engine(engine: Engine) -> None:
    feed = ChangeFeed(engine)
    feed.close()
    before = feed.version
    add_team(engine, "Jobcenter Vest")
    assert feed.version == before


def test_two_feeds_on_one_engine_both_hear_a_commit(engine: Engine) -> None:
    first, second = ChangeFeed(engine), ChangeFeed(engine)
    try:
        before = (first.version, second.version)
        add_team(engine, "Jobcenter Øst")
        assert first.version > before[0]
        assert second.version > before[1]
    finally:
        first.close()
        second.close()
