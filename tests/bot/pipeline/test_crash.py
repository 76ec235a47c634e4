"""Crash test: SIGKILL the server while it handles messages, restart it, let the clients retry.

Every message is stored once, and every message's replies exist once: nothing is lost and
nothing is doubled. The web chat's retry key (message_id) makes the retry safe.
"""

from __future__ import annotations

import json
import signal
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store.models import Message
from tests.database import fresh_database, make_engine
from tests.live_server import QUIET, start_server, stop_server

CITIZENS = 12
MESSAGES = 20
# The kill comes once this many messages were answered: in the middle, however fast the server.
KILL_AFTER_ANSWERS = 30


def _post(base: str, session: str, text: str, message_id: str) -> int:
    body = json.dumps({"session": session, "text": text, "message_id": message_id}).encode()
    request = urllib.request.Request(  # noqa: S310 - always http://127.0.0.1
        f"{base}/api/chat/messages", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return int(response.status)


@pytest.mark.slow
def test_a_killed_server_loses_no_message_and_doubles_no_reply(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        base, process = start_server(url, QUIET)
        port = int(base.rsplit(":", 1)[1])
        unanswered: list[tuple[str, str]] = []
        answered = 0
        lock = threading.Lock()
        kill_now = threading.Event()

        def citizen(number: int) -> None:
            nonlocal answered
            session = f"crash-citizen-{number:04d}"
            for index in range(MESSAGES):
                message_id = f"m{index}"
                try:
                    _post(base, session, "jeg er syg i dag", message_id)
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    with lock:
                        unanswered.append((session, message_id))
                    continue
                with lock:
                    answered += 1
                    if answered >= KILL_AFTER_ANSWERS:
                        kill_now.set()

        threads = [threading.Thread(target=citizen, args=(n,)) for n in range(CITIZENS)]
        for thread in threads:
            thread.start()
        assert kill_now.wait(timeout=60), "the server answered too few messages to start"
        process.send_signal(signal.SIGKILL)  # mid-handling: requests are in flight
        process.wait()
        for thread in threads:
            thread.join()
        assert unanswered, "the kill came too late to interrupt anything"

        base, process = start_server(url, QUIET, port=port)
        try:
            for session, message_id in unanswered:  # the clients retry with the same id
                assert _post(base, session, "jeg er syg i dag", message_id) == 200
        finally:
            stop_server(process)

        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                inbound = connection.execute(
                    select(Message.address, Message.channel_message_id).where(
                        Message.direction == "in"
                    )
                ).all()
                replies = connection.execute(
                    select(Message.in_reply_to_id, Message.text).where(Message.direction == "out")
                ).all()
        finally:
            engine.dispose()
        keys = [(address, mid) for address, mid in inbound]
        assert len(keys) == len(set(keys)) == CITIZENS * MESSAGES
        # Every message was answered, and no answer was stored twice.
        assert len({inbound_id for inbound_id, _ in replies}) == CITIZENS * MESSAGES
        assert len(replies) == len(set(replies))
