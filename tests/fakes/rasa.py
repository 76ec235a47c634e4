"""A fake Rasa server on loopback: a real HTTP socket answering ``POST /model/parse``.

It answers with a canned result per text (or ``greet``), records what it was asked, and can be
told to fail (HTTP 500) or to answer slowly, as a real Rasa server under trouble does. Like a
real one it keeps connections alive, and counts those a client holds open.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fakes.loopback import CountingHandler, OpenConnections


@dataclass
class FakeRasa:
    url: str = ""
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[str] = field(default_factory=list)
    status: int = 200
    delay_seconds: float = 0.0
    connections: OpenConnections = field(default_factory=OpenConnections)

    def result_for(self, text: str) -> dict[str, Any]:
        intent = self.answers.get(text, {"name": "greet", "confidence": 0.91})
        return {
            "text": text,
            "intent": intent,
            "entities": [],
            "intent_ranking": [intent],
            "response_selector": {},
        }


@contextmanager
def fake_rasa_server() -> Iterator[FakeRasa]:
    fake = FakeRasa()

    class Handler(CountingHandler):
        connections = fake.connections

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.received.append(body.get("text", ""))
            if fake.delay_seconds:
                time.sleep(fake.delay_seconds)
            if self.path != "/model/parse" or fake.status != 200:
                self.send_response(fake.status if fake.status != 200 else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            payload = json.dumps(fake.result_for(body.get("text", ""))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
