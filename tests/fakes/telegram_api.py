"""A fake Telegram Bot API on loopback, for python-telegram-bot with ``base_url`` pointed here.

Paths are ``/bot<token>/<method>`` as on api.telegram.org. It answers the methods borgerchat
uses, records every call, and hands out updates queued with :meth:`queue_update` to getUpdates.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

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


class FakeTelegramApi(LoopbackServer):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._message_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._updates_lock = threading.Lock()
        self.webhook: dict[str, Any] = {}

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
        with self._updates_lock:
            self._updates.append(update)

    def route(self, call: Call) -> HttpResponse:
        if not call.path.startswith(f"/bot{self.token}/"):
            return HttpResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        method = self.method(call)
        params = call.params
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "sendMessage":
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            return _ok(message)
        if method == "setWebhook":
            self.webhook = dict(params)
            return _ok(True)
        if method == "deleteWebhook":
            self.webhook = {}
            return _ok(True)
        if method == "getWebhookInfo":
            return _ok(
                {
                    "url": self.webhook.get("url", ""),
                    "has_custom_certificate": False,
                    "pending_update_count": 0,
                }
            )
        if method in ("answerCallbackQuery", "leaveChat"):
            return _ok(True)
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._updates_lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = list(self._updates)
            if not pending:
                time.sleep(0.05)
            return _ok(pending)
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


def _ok(result: Any) -> HttpResponse:
    return HttpResponse(200, {"ok": True, "result": result})
