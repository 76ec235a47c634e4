"""A real HTTP server on 127.0.0.1 and an ephemeral port, for fakes of external APIs.

Each fake records the calls it gets and can be told to fail the next ones (429 with
Retry-After, 5xx) or to hold a request open, so tests drive the real client libraries.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message as MimeMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    status: int
    retry_after: int | None = None


@dataclass
class HttpResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Call], HttpResponse]


class OpenConnections:
    """The keep-alive connections clients hold open to a fake: a closed client leaves none."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def change(self, by: int) -> None:
        with self._lock:
            self.count += by


class CountingHandler(BaseHTTPRequestHandler):
    """An HTTP/1.1 (keep-alive) handler that counts its connection while it is open."""

    protocol_version = "HTTP/1.1"
    connections: OpenConnections

    def setup(self) -> None:
        super().setup()
        self.connections.change(+1)

    def finish(self) -> None:
        self.connections.change(-1)
        super().finish()


class LoopbackServer:
    """Serve ``route(call)`` on loopback; subclasses implement :meth:`route` and :meth:`failure`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._failures: list[Failure] = []
        self._lock = threading.Lock()
        self.hold_after: int | None = None  # hold the Nth accepted call open (after recording)
        self.held = threading.Event()
        self.release = threading.Event()
        self.connections = OpenConnections()
        fake = self

        class Handler(CountingHandler):
            connections = fake.connections
            # Headers and body go out in two writes: without this, delayed ACKs cost 40 ms each.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, *, retry_after: int | None = None, times: int = 1) -> None:
        with self._lock:
            self._failures.extend(Failure(status, retry_after) for _ in range(times))

    def route(self, call: Call) -> HttpResponse:
        raise NotImplementedError

    def failure(self, call: Call, failure: Failure) -> HttpResponse:
        raise NotImplementedError

    def is_delivery(self, call: Call) -> bool:
        """Whether ``call`` delivers a message: only those fail on request or are held."""
        return True

    def deliveries(self) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if self.is_delivery(call)]

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        params: dict[str, Any] = dict(parse_qsl(split.query))
        params.update(_parse_body(handler.headers.get("Content-Type", ""), body))
        call = Call(method, split.path, params, {k.lower(): v for k, v in handler.headers.items()})
        hold = False
        with self._lock:
            delivery = self.is_delivery(call)
            failure = self._failures.pop(0) if self._failures and delivery else None
            if failure is None:
                response = self.route(call)
                if response.status < 400:
                    self.calls.append(call)
                    if delivery and self.hold_after is not None:
                        delivered = sum(1 for c in self.calls if self.is_delivery(c))
                        hold = delivered == self.hold_after
            else:
                response = self.failure(call, failure)
        if hold:
            # The provider has accepted the message; the client is still waiting for the answer.
            self.held.set()
            self.release.wait(30)
        # A file's bytes go out as they are, with the Content-Type the route gives.
        raw = isinstance(response.body, bytes)
        payload = response.body if raw else json.dumps(response.body).encode()
        handler.send_response(response.status)
        if not raw or "Content-Type" not in response.headers:
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        for key, value in response.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    if content_type.startswith("multipart/form-data"):
        mime: MimeMessage = BytesParser().parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        fields: dict[str, Any] = {}
        for part in mime.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = payload.decode()
        return fields
    return dict(parse_qsl(body.decode(), keep_blank_values=True))
