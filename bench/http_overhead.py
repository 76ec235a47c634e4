"""Prints the CPU the HTTP layer costs per message on the two hot endpoints, in process.

The real app (``create_app`` over ``build_services``, a migrated SQLite database with the demo
data) is called with raw ASGI messages: no network, no HTTP parser, no client in the process.
For each endpoint it prints CPU per request (``time.process_time``: every thread) and the part
spent inside ``Dispatcher.handle`` (``time.thread_time`` in the worker thread), so the
difference is what the request costs around the pipeline: middleware, routing, body parsing and
validation, the response, and the hop to the dispatcher's thread.

* ``chat``: ``POST /api/chat/messages`` with a JSON body, as bench/load.py sends it;
* ``sms``: ``POST /webhooks/twilio/sms``, a URL-encoded form signed with Twilio's own
  ``RequestValidator`` for the configured auth token, with the 6 parameters bench/load.py
  sends; ``sms21`` the same with the 21 parameters Twilio sends with an SMS;
* ``floor``: the same messages handed to ``Dispatcher.in_thread`` straight from the event loop,
  no app at all: the thread hop and this bench's own loop. What is above it is the app's.

The difference of two large figures is noisy. ``--stub-dispatcher`` measures the HTTP layer
alone, steadier: the dispatcher answers every message at once with one reply (no thread, no
database), so all the CPU is the app's and this bench's loop.

Work the SMS route does in the worker thread besides ``handle`` (the opt-out keywords) is
pipeline work, printed as "thread work" and not counted as the HTTP layer's.

The machine's speed swings (see ``machine_speed`` in bench/load.py): compare two versions in
alternating runs, and read the machine speed printed before and after each.

    .venv/bin/python bench/http_overhead.py --requests 600 --rounds 3
    .venv/bin/python bench/http_overhead.py --stub-dispatcher --requests 3000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from twilio.request_validator import RequestValidator  # noqa: E402

from bench.load import SCRIPT, machine_speed  # noqa: E402
from bot.cli.demo import seed_demo  # noqa: E402
from bot.kernel.messages import Channel, InboundMessage, OutboundMessage  # noqa: E402
from bot.pipeline.dispatcher import Dispatcher  # noqa: E402
from bot.pipeline.port import Delivery, DispatchResult  # noqa: E402
from bot.runtime.config import load_config  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.store.db import create_db_engine, transaction  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.wiring import build_services, create_app  # noqa: E402

T = TypeVar("T")
AUTH_TOKEN = "bench-auth-token"  # noqa: S105 - signs in-process requests only
PUBLIC_URL = "http://127.0.0.1:8000"
CHAT_PATH = "/api/chat/messages"
SMS_PATH = "/webhooks/twilio/sms"


@dataclass
class Meter:
    """CPU seconds spent in the worker thread: in ``handle``, and in all the work handed over."""

    handle: float = 0.0
    work: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def instrument(self, dispatcher: Dispatcher) -> None:
        """Time ``handle`` and ``in_thread``'s work on this dispatcher instance (the routes
        call both through the instance)."""
        handle = dispatcher.handle
        in_thread = dispatcher.in_thread

        def timed_handle(inbound: InboundMessage, *, delivery: Delivery) -> DispatchResult:
            started = time.thread_time()
            try:
                return handle(inbound, delivery=delivery)
            finally:
                self._add("handle", time.thread_time() - started)

        async def timed_in_thread(work: Callable[[], T]) -> T:
            def timed_work() -> T:
                started = time.thread_time()
                try:
                    return work()
                finally:
                    self._add("work", time.thread_time() - started)

            return await in_thread(timed_work)

        dispatcher.handle = timed_handle  # type: ignore[method-assign]
        dispatcher.in_thread = timed_in_thread  # type: ignore[method-assign]

    def _add(self, name: str, seconds: float) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + seconds)

    def reset(self) -> None:
        self.handle = self.work = 0.0


@dataclass(frozen=True)
class Request:
    path: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class Conversations:
    """The load bench's conversation, over and over, each time from a new citizen (so the flood
    limit never answers instead of the bot)."""

    def __init__(self, prefix: str, first_number: int = 0) -> None:
        self.prefix = prefix  # keeps the web sessions of two kinds of run apart
        self.first_number = first_number  # and the phone numbers and message SIDs
        self.count = 0

    def next(self) -> tuple[int, int, str]:
        """(citizen number, message index, text)."""
        number, index = divmod(self.count, len(SCRIPT))
        self.count += 1
        return self.first_number + number, index, SCRIPT[index]


def chat_request(conversations: Conversations) -> Request:
    number, index, text = conversations.next()
    session = f"bench-{conversations.prefix}-{number:06d}"
    body = json.dumps({"session": session, "text": text, "message_id": str(index)})
    return _request(CHAT_PATH, "application/json", body.encode())


def sms_request(
    conversations: Conversations, validator: RequestValidator, *, everything: bool = False
) -> Request:
    """An SMS webhook with bench/load.py's parameters, or ``everything`` Twilio sends."""
    number, index, text = conversations.next()
    sid = f"SM{number:08d}{index:08d}".ljust(34, "0")
    form = {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": f"+45{20_000_000 + number}",
        "To": "+4570000000",
        "Body": text,
        "NumMedia": "0",
    }
    if everything:
        form |= {
            "ToCountry": "DK",
            "ToState": "",
            "SmsMessageSid": sid,
            "ToCity": "",
            "FromZip": "",
            "SmsSid": sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "FromCountry": "DK",
            "MessagingServiceSid": "MG" + "0" * 32,
            "ToZip": "",
            "NumSegments": "1",
            "ReferralNumMedia": "0",
            "ApiVersion": "2010-04-01",
        }
    signature = validator.compute_signature(PUBLIC_URL + SMS_PATH, form)
    return _request(
        SMS_PATH,
        "application/x-www-form-urlencoded",
        urlencode(form).encode(),
        ((b"x-twilio-signature", signature.encode()),),
    )


def _request(
    path: str, content_type: str, body: bytes, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> Request:
    # What uvicorn hands the app for bench/load.py's requests: lower-case names, in order.
    headers = (
        (b"host", b"127.0.0.1:8000"),
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    )
    return Request(path, headers, body)


async def call(app: Callable[..., Awaitable[None]], request: Request) -> tuple[int, bytes]:
    """One request through the app as uvicorn makes it: the whole body in one message, then
    ``http.disconnect`` only once the response is sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": b"",
        "headers": list(request.headers),
        "state": {},
    }
    body_sent = False
    response_done = asyncio.Event()
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await response_done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                response_done.set()

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def floor_call(services: Services, request: Request) -> tuple[int, bytes]:
    """The message straight to the dispatcher's thread: what no HTTP layer can save."""
    payload = json.loads(request.body)
    inbound = InboundMessage(
        channel=Channel.WEB,
        address=payload["session"],
        text=payload["text"],
        channel_message_id=f"{payload['session']}:{payload['message_id']}",
    )
    dispatcher = services.dispatcher
    await dispatcher.in_thread(lambda: dispatcher.handle(inbound, delivery=Delivery.INLINE))
    return 200, b""


@dataclass
class Figures:
    total: float
    handle: float
    work: float

    @property
    def outside(self) -> float:
        return self.total - self.work


async def measure(
    name: str,
    requests: list[Request],
    send: Callable[[Request], Awaitable[tuple[int, bytes]]],
    meter: Meter,
) -> Figures:
    meter.reset()
    started = time.process_time()
    for request in requests:
        status, body = await send(request)
        if status != 200:
            raise SystemExit(f"{name}: {request.path} answered {status}: {body[:300]!r}")
    total = time.process_time() - started
    count = len(requests)
    return Figures(total / count, meter.handle / count, meter.work / count)


def print_figures(name: str, figures: Figures, floor: Figures | None) -> None:
    us = 1e6
    above = f"  above floor {(figures.outside - floor.outside) * us:6.0f} us" if floor else ""
    print(
        f"  {name:5s} total {figures.total * us:6.0f} us  handle {figures.handle * us:6.0f} us  "
        f"thread work {figures.work * us:6.0f} us  outside {figures.outside * us:5.0f} us{above}"
    )


async def run(services: Services, count: int, rounds: int) -> None:
    app = create_app(services)  # no lifespan: no background workers competing for the CPU
    meter = Meter()
    meter.instrument(services.dispatcher)
    validator = RequestValidator(AUTH_TOKEN)
    chats, floors = Conversations("c"), Conversations("f")
    texts, long_texts = Conversations("s"), Conversations("l", first_number=5_000_000)

    async def through_app(request: Request) -> tuple[int, bytes]:
        return await call(app, request)

    async def to_floor(request: Request) -> tuple[int, bytes]:
        return await floor_call(services, request)

    # Warm up: the middleware stack, routes, statement caches, the NLU, the thread pool.
    for _ in range(2 * len(SCRIPT)):
        await through_app(chat_request(chats))
        await through_app(sms_request(texts, validator))
        await through_app(sms_request(long_texts, validator, everything=True))
        await to_floor(chat_request(floors))
    # As the app's lifespan does: start-up objects out of the full collections.
    gc.collect()
    gc.freeze()

    names = ("floor", "chat", "sms", "sms21")
    results: dict[str, list[Figures]] = {name: [] for name in names}
    for round_number in range(1, rounds + 1):
        # Requests are built (and signed) before the clock starts: the client's work is not
        # the server's.
        batches = {
            "floor": [chat_request(floors) for _ in range(count)],
            "chat": [chat_request(chats) for _ in range(count)],
            "sms": [sms_request(texts, validator) for _ in range(count)],
            "sms21": [sms_request(long_texts, validator, everything=True) for _ in range(count)],
        }
        senders = {"floor": to_floor, "chat": through_app, "sms": through_app, "sms21": through_app}
        print(
            f"round {round_number}: {count} requests each, machine speed {machine_speed():.0f} ms"
        )
        for name in names:
            figures = await measure(name, batches[name], senders[name], meter)
            results[name].append(figures)
            print_figures(name, figures, None if name == "floor" else results["floor"][-1])
    print(f"median of {rounds} rounds (machine speed now {machine_speed():.0f} ms):")
    medians = {
        name: Figures(
            statistics.median(f.total for f in runs),
            statistics.median(f.handle for f in runs),
            statistics.median(f.work for f in runs),
        )
        for name, runs in results.items()
    }
    for name in names:
        print_figures(name, medians[name], None if name == "floor" else medians["floor"])


def stub_dispatcher(dispatcher: Dispatcher) -> None:
    """Answer every message at once with the greeting's reply, without running the work."""
    reply = OutboundMessage(
        id=1,
        channel=Channel.WEB,
        address="bench",
        text="Hej, jeg er jobcentrets chatbot. Hvad kan jeg hjælpe med?",
        choices=("Book en tid", "Tal med en person"),
    )
    result = DispatchResult(1, 1, 1, [reply], duplicate=False, intent="greet")

    async def answer(work: Callable[[], T]) -> T:
        return result  # type: ignore[return-value]

    dispatcher.in_thread = answer  # type: ignore[method-assign]


async def run_stubbed(services: Services, count: int, rounds: int) -> None:
    app = create_app(services)
    stub_dispatcher(services.dispatcher)
    validator = RequestValidator(AUTH_TOKEN)
    makers: dict[str, Callable[[], Request]] = {}
    chats, texts, long_texts = Conversations("c"), Conversations("s"), Conversations("l")
    makers["chat"] = lambda: chat_request(chats)
    makers["sms"] = lambda: sms_request(texts, validator)
    makers["sms21"] = lambda: sms_request(long_texts, validator, everything=True)
    for make in makers.values():
        for _ in range(200):
            await call(app, make())
    gc.collect()
    gc.freeze()
    results: dict[str, list[float]] = {name: [] for name in makers}
    for round_number in range(1, rounds + 1):
        print(
            f"round {round_number}: {count} requests each, machine speed {machine_speed():.0f} ms"
        )
        for name, make in makers.items():
            requests = [make() for _ in range(count)]
            started = time.process_time()
            for request in requests:
                status, body = await call(app, request)
                if status != 200:
                    raise SystemExit(f"{name}: answered {status}: {body[:300]!r}")
            results[name].append((time.process_time() - started) / count)
            print(f"  {name:5s} {results[name][-1] * 1e6:6.1f} us")
    print(f"median of {rounds} rounds (machine speed now {machine_speed():.0f} ms):")
    for name, figures in results.items():
        print(f"  {name:5s} {statistics.median(figures) * 1e6:6.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--nlu-dir", default=str(REPO / "var" / "nlu"), help="trained once, then reused"
    )
    parser.add_argument(
        "--stub-dispatcher", action="store_true", help="the HTTP layer alone (see above)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        env = {
            "DATABASE_URL": url,
            "BORGERCHAT_NLU__MODEL_DIR": args.nlu_dir,
            "BORGERCHAT_SERVER__PUBLIC_URL": PUBLIC_URL,
            "BORGERCHAT_SERVER__LOG_LEVEL": "WARNING",
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+4570000000",
            # Nothing is sent (no lifespan, no outbox sender); never Twilio in any case.
            "BORGERCHAT_TWILIO__BASE_URL": "http://127.0.0.1:9",
        }
        config = load_config(env=env)
        engine = create_db_engine(url)
        upgrade(engine)
        services = build_services(config, engine=engine)
        with transaction(services.session_factory) as session:
            seed_demo(session, services.clock.now(), config.settings.tz)
        try:
            if args.stub_dispatcher:
                asyncio.run(run_stubbed(services, args.requests, args.rounds))
            else:
                asyncio.run(run(services, args.requests, args.rounds))
        finally:
            services.close()


if __name__ == "__main__":
    main()
