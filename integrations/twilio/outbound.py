"""SMS out through Twilio: ``SmsChannel`` (the outbox's transport, and the settings the webhooks
read), Twilio's HTTP client pointed at ``twilio.base_url``, and bot text as a GSM-7 SMS body
within ``twilio.max_segments``.

A send Twilio may or may not have taken (a broken connection, a 5xx) is ``Unknown``: the outbox
asks :meth:`SmsChannel.verify`, which looks for the message in Twilio's message list, before it
sends again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from bot.domain.reachability import TWILIO_UNREACHABLE, TWILIO_UNSUBSCRIBED
from bot.kernel.clock import Clock
from bot.kernel.errors import ConfigError
from bot.kernel.gsm7 import max_septets, septets, to_gsm7
from bot.kernel.messages import Channel, OutboundMessage
from bot.runtime.config import AppConfig
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory
from integrations.outbox.outcomes import Accepted, Rejected, RetryLater, SendOutcome, Unknown
from integrations.twilio.media import TwilioMedia
from integrations.twilio.signature import WebhookSignatures
from integrations.twilio.status import STATUS_PATH

log = logging.getLogger(__name__)

TWILIO_DEFAULT_BASE_URL = "https://api.twilio.com"
ELLIPSIS = "..."
# Twilio's codes for a number that cannot be reached at all (bot/domain/reachability.py).
UNREACHABLE_CODES = frozenset({TWILIO_UNSUBSCRIBED, *TWILIO_UNREACHABLE})


def format_sms(text: str, choices: Sequence[str], max_segments: int) -> str:
    """The SMS body for a bot reply: GSM-7, choices as numbered lines, at most ``max_segments``.

    When it is too long the text (not the choices) is cut at a word and ends with "...".
    """
    lines = [to_gsm7(f"{number}. {choice}") for number, choice in enumerate(choices, start=1)]
    tail = ("\n" + "\n".join(lines)) if lines else ""
    body = to_gsm7(text)
    limit = max_septets(max_segments)
    if septets(body) + septets(tail) <= limit:
        return (body + tail).strip()
    budget = max(0, limit - septets(tail) - len(ELLIPSIS))
    cut = _cut(body, budget)
    log.warning("SMS text shortened to fit %s segments", max_segments)
    return (cut + ELLIPSIS + tail) if cut else _cut(body + tail, limit)


def _cut(text: str, budget: int) -> str:
    kept: list[str] = []
    used = 0
    for char in text:
        cost = septets(char)
        if used + cost > budget:
            break
        kept.append(char)
        used += cost
    cut = "".join(kept)
    if len(cut) < len(text) and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-\n")


class RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's own HTTP client, sending to ``twilio.base_url`` instead of api.twilio.com
    (a regional edge, a proxy, or the fake API in tests)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        # Twilio logs request URLs and parameters (the message body) at INFO.
        quiet = logging.getLogger("borgerchat.twilio_http")
        quiet.setLevel(logging.WARNING)
        super().__init__(timeout=timeout, logger=quiet)
        self.base_url = base_url.rstrip("/")
        self.last_headers: dict[str, str] = {}

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        if url.startswith(TWILIO_DEFAULT_BASE_URL):
            url = self.base_url + url[len(TWILIO_DEFAULT_BASE_URL) :]
        response: TwilioResponse = super().request(method, url, *args, **kwargs)
        # Kept for Retry-After: the exception Twilio raises does not carry the headers.
        self.last_headers = dict(response.headers or {})
        return response


class SmsChannel:
    """Twilio SMS: the outbox transport and what the webhooks need."""

    channel = Channel.SMS
    messages_per_address_per_second: float | None = None

    def __init__(self, config: AppConfig, *, session_factory: SessionFactory, clock: Clock) -> None:
        secrets = config.secrets
        sid, token, number = (
            secrets.twilio_account_sid,
            secrets.twilio_auth_token,
            secrets.twilio_from_number,
        )
        if not (sid and token and number):
            raise ConfigError("TWILIO_ACCOUNT_SID", "SMS needs the Twilio SID, token and number")
        settings = config.settings
        self.public_url = settings.server.public_url
        self.max_segments = settings.twilio.max_segments
        self.messages_per_second = settings.twilio.messages_per_second
        self.from_number = number
        self.session_factory = session_factory
        self.clock = clock
        auth_token = token.get_secret_value()
        self.signatures = WebhookSignatures(auth_token)
        self.http_client = RebasedHttpClient(settings.twilio.base_url)
        self.client = Client(sid, auth_token, http_client=self.http_client)
        # An MMS's photos and PDFs, fetched with the account's credentials.
        self.media = TwilioMedia(
            settings.chat.attachments, settings.twilio.base_url, sid, auth_token
        )

    def close(self) -> None:
        """Close the pooled connections to Twilio (a ``requests`` session)."""
        if self.http_client.session is not None:
            self.http_client.session.close()

    def body_of(self, message: OutboundMessage) -> str:
        return format_sms(message.text, message.choices, self.max_segments)

    def status_callback(self, message: OutboundMessage) -> str:
        # The outbox id in the URL finds the row even before the SID is recorded.
        return f"{self.public_url}{STATUS_PATH}?outbox_id={message.id}"

    async def send(self, message: OutboundMessage) -> SendOutcome:
        return await run_blocking(lambda: self._send(message))

    def _send(self, message: OutboundMessage) -> SendOutcome:
        try:
            created = self.client.messages.create(
                to=message.address,
                from_=self.from_number,
                body=self.body_of(message),
                status_callback=self.status_callback(message),
            )
        except TwilioRestException as exc:
            return self._classify(exc)
        except (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError) as exc:
            return RetryLater(f"Twilio unreachable: {type(exc).__name__}")
        except requests.exceptions.ConnectionError as exc:
            if "NewConnectionError" in repr(exc) or "refused" in str(exc).lower():
                return RetryLater("Twilio unreachable: connection refused")
            return Unknown(f"connection to Twilio broke: {type(exc).__name__}")
        except requests.exceptions.RequestException as exc:
            return Unknown(f"Twilio request failed: {type(exc).__name__}")
        return Accepted(str(created.sid))

    def _classify(self, exc: TwilioRestException) -> SendOutcome:
        status = int(exc.status or 0)
        reason = f"Twilio {status} (code {exc.code}): {exc.msg}"
        if status == 429:
            return RetryLater(reason, self._retry_after())
        if status >= 500:
            # Twilio may have created the message before failing: ask its list before a resend.
            return Unknown(reason, self._retry_after())
        code = str(exc.code or "")
        return Rejected(reason, unreachable=code if code in UNREACHABLE_CODES else None)

    def _retry_after(self) -> float:
        headers = {k.lower(): v for k, v in self.http_client.last_headers.items()}
        value = headers.get("retry-after")
        try:
            return float(value) if value is not None else 0.0
        except ValueError:
            return 0.0

    async def verify(self, message: OutboundMessage, since: datetime) -> SendOutcome:
        return await run_blocking(lambda: self._verify(message, since))

    def _verify(self, message: OutboundMessage, since: datetime) -> SendOutcome:
        """Twilio lists what it accepted: the message is there (sent) or provably not."""
        body = self.body_of(message)
        try:
            recent = self.client.messages.list(to=message.address, from_=self.from_number, limit=50)
        except (TwilioRestException, requests.exceptions.RequestException) as exc:
            return Unknown(f"cannot list Twilio messages: {type(exc).__name__}")
        window_start = since - timedelta(minutes=1)
        for item in recent:
            created = item.date_created
            if item.body == body and (created is None or created >= window_start):
                return Accepted(str(item.sid))
        return RetryLater("not in Twilio's message list")
