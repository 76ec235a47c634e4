"""Many consultants press "claim" on one conversation at the same moment: exactly one wins.

Runs on SQLite and, in `make test-postgres`, on PostgreSQL, where the threads really overlap.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from bot.inbox import conversations
from bot.inbox.auth import Viewer
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation, QueueWait
from tests.bot.inbox.conftest import MakeConsultant
from tests.chat import ChatTester

CLAIMERS = 8


def test_concurrent_claims_give_the_conversation_to_exactly_one_consultant(
    services: Services, make_consultant: MakeConsultant
) -> None:
    ChatTester(services, address="websession-race").say("menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
    viewers = []
    for n in range(CLAIMERS):
        account = make_consultant(f"claimer{n}")
        viewers.append(
            Viewer(
                account.id, account.team_id, account.username, account.username, "consultant", ""
            )
        )
    start = threading.Barrier(CLAIMERS)
    outcomes: dict[int, bool] = {}
    errors: list[BaseException] = []

    def claim(viewer: Viewer) -> None:
        try:
            start.wait()
            with transaction(services.session_factory) as db:
                outcomes[viewer.id] = conversations.claim(
                    db, viewer, conversation_id, services.clock.now()
                )
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(v,)) for v in viewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    winners = [consultant for consultant, won in outcomes.items() if won]
    assert len(outcomes) == CLAIMERS
    assert len(winners) == 1
    with transaction(services.session_factory) as db:
        row = db.get(Conversation, conversation_id)
        assert row is not None
        assert (row.status, row.assigned_consultant_id) == ("consultant", winners[0])
        # Only the winner's wait is recorded for the bot's expected wait.
        waits = db.scalars(select(QueueWait)).all()
        assert [(w.consultant_id, w.waiting_since) for w in waits] == [
            (winners[0], row.waiting_since)
        ]
