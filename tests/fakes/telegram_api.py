"""A fake Telegram Bot API on loopback, for python-telegram-bot with ``base_url`` pointed here.

Paths are ``/bot<token>/<method>`` as on api.telegram.org. It answers the methods borgerchat
and python-telegram-bot's Updater use, records every call, and hands out updates queued with
:meth:`queue_update` to getUpdates as Telegram does: refused (409) while a webhook is set, held
open up to ``timeout`` seconds until an update arrives, cut off (409) by a newer getUpdates,
filtered by ``allowed_updates`` (kept from the last call that gave them), and an update is
confirmed, and forgotten, once a call asks with a higher ``offset``.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from tests.fakes.loopback import Call, Failure, HttpResponse, LoopbackServer

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Jobcenter",
    "username": "jobcenter_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# What Telegram sends when allowed_updates was never given (or given empty): all types but these.
_NOT_BY_DEFAULT = ("chat_member", "message_reaction", "message_reaction_count")


class FakeTelegramApi(LoopbackServer):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._message_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        # On the lock every call is answered under: a held getUpdates lets the others through.
        self._updates_changed = threading.Condition(self._lock)
        self._polls = itertools.count(1)
        self._latest_poll = 0
        self._closed = False
        self.allowed_updates: Sequence[str] = ()
        self.webhook: dict[str, Any] = {}
        self.blocked_by: set[int] = set()  # chats whose user blocked the bot

    @property
    def base_url(self) -> str:
        """The value for ``telegram.base_url`` (PTB appends the token)."""
        return f"{self.url}/bot"

    def method(self, call: Call) -> str:
        return call.path.rsplit("/", 1)[-1]

    def is_delivery(self, call: Call) -> bool:
        return self.method(call) == "sendMessage"

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """The sendMessage calls, oldest first, with ``reply_markup`` decoded."""
        found = []
        for call in self.deliveries():
            params = dict(call.params)
            if isinstance(params.get("reply_markup"), str):
                params["reply_markup"] = json.loads(params["reply_markup"])
            if chat_id is None or str(params.get("chat_id")) == str(chat_id):
                found.append(params)
        return found

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in list(self.calls) if self.method(call) == method]

    def queue_update(self, update: dict[str, Any]) -> None:
        with self._updates_changed:
            self._updates.append(update)
            self._updates_changed.notify_all()

    def pending_updates(self) -> list[dict[str, Any]]:
        """The queued updates no getUpdates has confirmed yet."""
        with self._updates_changed:
            return list(self._updates)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        # A client that stopped polling has closed the connection a held getUpdates answers on.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super()._handle(handler, method)

    def __exit__(self, *exc: object) -> None:
        with self._updates_changed:
            self._closed = True
            self._updates_changed.notify_all()
        super().__exit__(*exc)

    def route(self, call: Call) -> HttpResponse:
        if call.path.startswith("/file/"):
            return self._download(call)
        if self.method(call) == "getFile":
            return self._get_file(call.params)
        if not call.path.startswith(f"/bot{self.token}/"):
            return HttpResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        method = self.method(call)
        params = call.params
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "sendMessage" and int(params["chat_id"]) in self.blocked_by:
            return self.refuse_blocked()
        if method == "sendMessage":
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            return _ok(message)
        if method in ("setWebhook", "deleteWebhook"):
            if _flag(params.get("drop_pending_updates")):
                self._updates = []
            self.webhook = dict(params) if method == "setWebhook" else {}
            return _ok(True)
        if method == "getWebhookInfo":
            return _ok(
                {
                    "url": self.webhook.get("url", ""),
                    "has_custom_certificate": False,
                    "pending_update_count": len(self._updates),
                }
            )
        if method in ("answerCallbackQuery", "leaveChat"):
            return _ok(True)
        if method == "getUpdates":
            return self._get_updates(params)
        return HttpResponse(
            404, {"ok": False, "error_code": 404, "description": f"Method {method} not found"}
        )

    def failure(self, call: Call, failure: Failure) -> HttpResponse:
        if failure.status == 429:
            retry_after = failure.retry_after or 1
            return HttpResponse(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                {"Retry-After": str(retry_after)},
            )
        return HttpResponse(
            failure.status,
            {"ok": False, "error_code": failure.status, "description": "Internal Server Error"},
        )

    def _get_updates(self, params: dict[str, Any]) -> HttpResponse:
        """Runs under the lock every call is answered under (a held poll releases it)."""
        if self.webhook.get("url"):
            return _conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        poll = self._latest_poll = next(self._polls)
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if "allowed_updates" in params:
            self.allowed_updates = _list(params["allowed_updates"])
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            if self._latest_poll != poll:
                return _conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            wanted = [u for u in self._updates if self._is_allowed(u)][:limit]
            remaining = deadline - time.monotonic()
            if wanted or remaining <= 0 or self._closed:
                return _ok(wanted)
            self._updates_changed.wait(remaining)

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        [kind] = [key for key in update if key != "update_id"]
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _NOT_BY_DEFAULT

    # Files (getFile and the file server under base_file_url) --------------------------------

    @functools.cached_property
    def files(self) -> FileStore:
        return FileStore()

    def add_file(self, data: bytes, *, path: str, file_size: int | None = None) -> str:
        """A file the Bot API holds; returns its file_id (``file_size``: what it claims)."""
        file_id = f"AgAC{next(self._message_ids):06d}{path.replace('/', '_')}"
        self.files.by_id[file_id] = (path, data, len(data) if file_size is None else file_size)
        return file_id

    def fail_file_downloads(self, times: int = 1) -> None:
        """The next downloads from the file server answer 502 (a proxy in front of it down)."""
        self.files.failures += times

    def _get_file(self, params: dict[str, Any]) -> HttpResponse:
        found = self.files.by_id.get(str(params.get("file_id", "")))
        if found is None:
            return _bad_request("Bad Request: invalid file_id")
        path, _, size = found
        if size > 20 * 1024 * 1024:  # the Bot API serves files up to 20 MB
            return _bad_request("Bad Request: file is too big")
        file_id = str(params["file_id"])
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": "AQAD" + file_id[-10:],
                "file_size": size,
                "file_path": path,
            }
        )

    def _download(self, call: Call) -> HttpResponse:
        # A slow file server: wait without holding the lock, so other calls are answered.
        deadline = time.monotonic() + self.files.delay_seconds
        while (remaining := deadline - time.monotonic()) > 0 and not self._closed:
            self._updates_changed.wait(remaining)
        if self.files.failures > 0:
            self.files.failures -= 1
            return HttpResponse(502, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"})
        prefix = f"/file/bot{self.token}/"
        path = unquote(call.path)  # PTB quotes the URL's path (the token's colon too)
        wanted = path[len(prefix) :] if path.startswith(prefix) else None
        for path, data, _ in self.files.by_id.values():
            if path == wanted:
                return HttpResponse(200, data, {"Content-Type": "application/octet-stream"})
        return HttpResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def refuse_blocked(self) -> HttpResponse:
        """What the Bot API answers a message to a user who blocked the bot."""
        return HttpResponse(
            403,
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
        )


@dataclass
class FileStore:
    """The fake's files: file_id -> (file_path, bytes, the size getFile reports)."""

    by_id: dict[str, tuple[str, bytes, int]] = field(default_factory=dict)
    failures: int = 0
    # Each download waits this long before it is answered.
    delay_seconds: float = 0.0


def _bad_request(description: str) -> HttpResponse:
    return HttpResponse(400, {"ok": False, "error_code": 400, "description": description})


def _flag(value: Any) -> bool:
    return value in (True, "true", "True")


def _list(value: Any) -> Sequence[str]:
    items = json.loads(value) if isinstance(value, str) else value
    return tuple(items or ())


def _conflict(description: str) -> HttpResponse:
    return HttpResponse(
        409, {"ok": False, "error_code": 409, "description": f"Conflict: {description}"}
    )


def _ok(result: Any) -> HttpResponse:
    return HttpResponse(200, {"ok": True, "result": result})
