"""A fake Twilio REST API (Messages only) on loopback, for the real ``twilio`` client.

``POST /2010-04-01/Accounts/<sid>/Messages.json`` accepts a message and records it;
``GET`` on the same path lists accepted messages (filtered by To and From), which the outbox uses
to prove whether an interrupted send went out.
"""

from __future__ import annotations

import base64
import functools
import itertools
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from tests.fakes.loopback import Call, Failure, HttpResponse, LoopbackServer


class FakeTwilioApi(LoopbackServer):
    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._sids = itertools.count(1)
        self.accepted: list[dict[str, Any]] = []
        self.unsubscribed: set[str] = set()

    @property
    def messages_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def is_delivery(self, call: Call) -> bool:
        return call.method == "POST" and call.path == self.messages_path

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        return [
            dict(call.params)
            for call in self.deliveries()
            if to is None or call.params.get("To") == to
        ]

    def route(self, call: Call) -> HttpResponse:
        if call.path.startswith(MEDIA_STORE):
            return self._stored_media(call)
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if call.headers.get("authorization") != expected:
            return _error(401, 20003, "Authenticate")
        if call.method == "GET" and "/Media/" in call.path:
            return self._media(call)
        if call.path != self.messages_path:
            return _error(404, 20404, "The requested resource was not found")
        if call.method == "POST":
            params = call.params
            if not params.get("To") or not params.get("Body"):
                return _error(400, 21604, "A 'To' phone number is required.")
            if params["To"] in self.unsubscribed:
                return self.refuse_unsubscribed()
            message = self._message(params)
            self.accepted.append(message)
            return HttpResponse(201, message)
        found = [
            m
            for m in self.accepted
            if m["to"] == call.params.get("To", m["to"])
            and m["from"] == call.params.get("From", m["from"])
        ]
        found.reverse()  # newest first, like Twilio
        return HttpResponse(
            200,
            {
                "messages": found,
                "uri": self.messages_path,
                "first_page_uri": self.messages_path,
                "next_page_uri": None,
                "previous_page_uri": None,
                "page": 0,
                "page_size": 50,
                "start": 0,
                "end": len(found),
            },
        )

    def failure(self, call: Call, failure: Failure) -> HttpResponse:
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
        if failure.status == 429:
            return _error(429, 20429, "Too Many Requests", headers)
        return _error(failure.status, 20500, "Internal Server Error", headers)

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        sid = f"SM{next(self._sids):032x}"
        now = format_datetime(datetime.now(UTC), usegmt=True)
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": params["To"],
            "from": params.get("From"),
            "messaging_service_sid": None,
            "body": params["Body"],
            "status": "queued",
            "num_segments": "1",
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {},
        }

    # MMS media: MediaUrlN needs the account's basic auth, then redirects to the media store ----

    @functools.cached_property
    def media(self) -> dict[str, tuple[str, bytes]]:
        """Media path -> (content type, bytes); the store serves them by a key of its own."""
        return {}

    def add_media(self, data: bytes, content_type: str) -> str:
        """Media of an incoming MMS; returns its MediaUrl as Twilio gives it in the webhook."""
        number = next(self._sids)
        path = (
            f"/2010-04-01/Accounts/{self.account_sid}/Messages/MM{number:032x}"
            f"/Media/ME{number:032x}"
        )
        self.media[path] = (content_type, data)
        return self.url + path

    def _media(self, call: Call) -> HttpResponse:
        if call.path not in self.media:
            return _error(404, 20404, "The requested resource was not found")
        # Twilio answers 307 with the media store's (pre-signed) URL on another host.
        key = base64.urlsafe_b64encode(call.path.encode()).decode()
        return HttpResponse(
            307, b"", {"Location": f"{self.url}{MEDIA_STORE}{key}", "Content-Type": "text/plain"}
        )

    def _stored_media(self, call: Call) -> HttpResponse:
        path = base64.urlsafe_b64decode(call.path[len(MEDIA_STORE) :].encode()).decode()
        found = self.media.get(path)
        if found is None:
            return HttpResponse(
                403,
                b"<Error><Code>AccessDenied</Code></Error>",
                {"Content-Type": "application/xml"},
            )
        content_type, data = found
        return HttpResponse(200, data, {"Content-Type": content_type})

    def refuse_unsubscribed(self) -> HttpResponse:
        """What Twilio answers a send to a number that replied STOP to this sender."""
        return _error(400, 21610, "Attempt to send to unsubscribed recipient")


# Where the fake's media store serves MMS media (Twilio's is a CDN host of its own).
MEDIA_STORE = "/media-store/"


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return HttpResponse(status, body, headers or {})
