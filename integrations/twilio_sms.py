"""SMS through Twilio: the signed inbound webhook (answered with TwiML), delivery status
callbacks, the outbox transport, and keeping bot text GSM-7 and short.

Routes:
    ``POST /webhooks/twilio/sms``: a citizen's SMS; the replies go back as TwiML.
    ``POST /webhooks/twilio/status``: Twilio's delivery status for a message the outbox sent.

Both check ``X-Twilio-Signature`` over ``server.public_url`` + path (+ query) and the form
parameters; a forged request gets 403 and nothing is stored.

Opt-out keywords follow Twilio's default handling: STOP, UNSUBSCRIBE, END, QUIT, STOPALL,
REVOKE, OPTOUT and CANCEL opt the number out, START/UNSTOP (and YES from an opted-out number)
opt it in again, HELP/INFO ask for help. Twilio itself answers these words (and blocks any other
answer to an opted-out number), so the bot records the choice in ``Citizen.sms_opted_out`` and
answers with an empty TwiML: the citizen never gets two answers. Bot texts never ask a citizen to
reply CANCEL (see the content test).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlparse
from xml.sax.saxutils import escape

import requests
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import add_port, remove_port
from twilio.rest import Client

from bot.domain.identity import normalise_phone
from bot.kernel.clock import Clock
from bot.kernel.errors import ConfigError, InvalidMessage
from bot.kernel.gsm7 import max_septets, septets, to_gsm7
from bot.kernel.messages import Channel, InboundMessage, OutboundMessage
from bot.pipeline.port import Delivery, DispatchResult, InboundPipeline, TransportContext
from bot.runtime.config import AppConfig
from bot.runtime.threads import run_blocking
from bot.store.db import SessionFactory, transaction
from bot.store.models import Citizen, Direction, Message, MessageStatus
from integrations.direct_route import DirectRoute
from integrations.outbox import Accepted, Rejected, RetryLater, SendOutcome, Unknown

log = logging.getLogger(__name__)

TWILIO_DEFAULT_BASE_URL = "https://api.twilio.com"
SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "REVOKE", "OPTOUT", "CANCEL"}
)
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
OPT_IN_WHEN_OPTED_OUT = frozenset({"YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
ALL_KEYWORDS = OPT_OUT_KEYWORDS | OPT_IN_KEYWORDS | OPT_IN_WHEN_OPTED_OUT | HELP_KEYWORDS

# --- SMS body ----------------------------------------------------------------------------

ELLIPSIS = "..."


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


# --- Outbound ----------------------------------------------------------------------------


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
        self.signatures = SignatureCheck(auth_token)
        self.http_client = RebasedHttpClient(settings.twilio.base_url)
        self.client = Client(sid, auth_token, http_client=self.http_client)

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
        return Rejected(reason)

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


# --- Inbound -----------------------------------------------------------------------------


class SignatureCheck:
    """``X-Twilio-Signature`` checked as twilio's ``RequestValidator.validate`` checks a form
    webhook, for a tenth of its CPU.

    The signature is the base64 HMAC-SHA1, keyed by the auth token, of the URL followed by each
    parameter's name and value in name order; Twilio may have signed the URL with or without
    its default port, so either is accepted. Twilio's validator looks up every value through
    two failing attribute lookups (for Flask's and Django's multidicts), parses the URL and
    computes both HMACs on every request (36 us for the load bench's form, 90 us for the 21
    parameters Twilio sends); here it is 4-7 us: the URL's variants are worked out once, and
    the second HMAC only when the first does not match. tests/integrations/test_twilio_sms.py
    holds it to twilio's own validator.
    """

    def __init__(self, auth_token: str) -> None:
        self._key = auth_token.encode("utf-8")

    def valid(self, url: str, params: Mapping[str, str], signature: str) -> bool:
        expected = signature.encode("utf-8")
        signed_params = "".join(name + params[name] for name in sorted(params))
        for variant in _signed_urls(url):
            mac = hmac.new(self._key, (variant + signed_params).encode("utf-8"), hashlib.sha1)
            if hmac.compare_digest(base64.b64encode(mac.digest()), expected):
                return True
        return False


@lru_cache(maxsize=256)  # the SMS webhook's URL, and status callbacks' (one per outbox id)
def _signed_urls(url: str) -> tuple[str, ...]:
    """The URL as Twilio may have signed it: without and with its default port."""
    parsed = urlparse(url)
    return remove_port(parsed), add_port(parsed)


router = APIRouter()
# POST /webhooks/twilio/sms alone, included ahead of every other router (bot/web/app.py).
message_router = APIRouter(route_class=DirectRoute)


def _channel(request: Request) -> tuple[SmsChannel, TransportContext]:
    channels = getattr(request.app.state, "channels", None)
    sms = channels.sms if channels is not None else None
    if sms is None:
        raise HTTPException(404, "SMS is not configured")
    return sms, request.app.state.transport


async def _signed_form(request: Request, sms: SmsChannel) -> dict[str, str]:
    params = await _form(request)
    scope = request.scope
    if scope["path"] == SMS_PATH and not scope.get("query_string"):
        url = sms.public_url + SMS_PATH  # every SMS: what request.url gives, without building it
    else:
        url = sms.public_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not sms.signatures.valid(url, params, signature):
        log.warning("refused a Twilio request with a bad signature on %s", request.url.path)
        raise HTTPException(403, "invalid Twilio signature")
    return params


async def _form(request: Request) -> dict[str, str]:
    """The form's fields (the last value of a repeated one). Twilio posts URL-encoded UTF-8,
    read here with :func:`parse_form`: a fifth of Starlette's form parser's time."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        form = await request.form()
        return {key: str(value) for key, value in form.items()}
    return parse_form((await request.body()).decode("utf-8", errors="replace"))


def parse_form(body: str) -> dict[str, str]:
    """``dict(parse_qsl(body, keep_blank_values=True))`` in half its time (10 against 21 us
    for the 21 parameters of a Twilio SMS, 7 against 10 for bench/load.py's 6): the same
    split, and ``unquote`` only where there is something to unquote (parameter names and most
    values have nothing)."""
    fields: dict[str, str] = {}
    for pair in body.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value)
        fields[name] = value
    return fields


TWIML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml(bodies: Sequence[str]) -> Response:
    """A TwiML answer with one ``<Message>`` per body, as Twilio's ``MessagingResponse``
    writes it (tests compare the two), without building an element tree per message."""
    if not bodies:
        document = f"{TWIML_DECLARATION}<Response />"
    else:
        messages = "".join(
            f"<Message>{escape(body)}</Message>" if body else "<Message />" for body in bodies
        )
        document = f"{TWIML_DECLARATION}<Response>{messages}</Response>"
    return Response(content=document, media_type="application/xml")


@message_router.post(SMS_PATH)
async def inbound_sms(request: Request) -> Response:
    sms, transport = _channel(request)
    params = await _signed_form(request, sms)
    try:
        sender = normalise_phone(params.get("From", ""))
    except ValueError as exc:
        raise HTTPException(400, "From is not a phone number") from exc
    sid = params.get("MessageSid") or params.get("SmsSid")
    if not sid:
        raise HTTPException(400, "MessageSid is missing")
    body = params.get("Body", "")
    dispatcher: InboundPipeline = transport.pipeline
    inbound = InboundMessage(
        channel=Channel.SMS,
        address=sender,
        text=body,
        channel_message_id=sid,
    )
    has_media = _media_count(params.get("NumMedia")) > 0
    # One trip to a worker thread for all the blocking work of a message.
    result = await dispatcher.in_thread(lambda: _handle_sms(sms, dispatcher, inbound, has_media))
    if result is None:
        return twiml([])
    return twiml([format_sms(r.text, r.choices, sms.max_segments) for r in result.replies])


def _media_count(raw: str | None) -> int:
    """Twilio's ``NumMedia``; a value that is no number counts as none (never a 500)."""
    try:
        return int(raw or 0)
    except ValueError:
        return 0


def _handle_sms(
    sms: SmsChannel, dispatcher: InboundPipeline, inbound: InboundMessage, has_media: bool
) -> DispatchResult | None:
    """A keyword (STOP, START, HELP), or a message for the bot: its answer, or None when there
    is nothing to answer."""
    body = inbound.text
    keyword = body.strip().upper()
    if keyword in ALL_KEYWORDS and _keyword(sms, dispatcher, inbound, keyword):
        return None
    if not body.strip() and has_media:
        body = "?"  # a picture without text: the flow's fallback asks for words
    message = replace(inbound, text=_choice_for_number(sms, inbound.address, body))
    try:
        return dispatcher.handle(message, delivery=Delivery.INLINE)
    except InvalidMessage:
        return None


def _keyword(
    sms: SmsChannel, dispatcher: InboundPipeline, inbound: InboundMessage, keyword: str
) -> bool:
    """Record an opt-out/opt-in/help keyword; False when it is an ordinary word after all."""
    if keyword in OPT_IN_WHEN_OPTED_OUT:
        with transaction(sms.session_factory) as session:
            opted_out = session.scalars(
                select(Citizen.sms_opted_out).where(Citizen.phone == inbound.address)
            ).first()
        if not opted_out:
            return False  # an ordinary "yes" to the bot

    def record(session: Session, citizen: Citizen, now: datetime) -> Citizen:
        if keyword in OPT_OUT_KEYWORDS:
            citizen.sms_opted_out = True
            log.info("citizen %s opted out of SMS", citizen.id)
        elif keyword not in HELP_KEYWORDS:
            citizen.sms_opted_out = False
            log.info("citizen %s opted in to SMS again", citizen.id)
        return citizen

    dispatcher.answer_fixed(
        inbound, lambda _: [], delivery=Delivery.INLINE, stored_text=keyword, on_citizen=record
    )
    return True


def _choice_for_number(sms: SmsChannel, address: str, body: str) -> str:
    """A reply "2" to numbered choices means the second choice's text."""
    stripped = body.strip().rstrip(".")
    if not stripped.isdigit():
        return body
    with transaction(sms.session_factory) as session:
        last = session.scalars(
            select(Message)
            .where(
                Message.channel == Channel.SMS.value,
                Message.address == address,
                Message.direction == Direction.OUT.value,
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()
    choices = list(last.choices or []) if last is not None else []
    number = int(stripped)
    if 1 <= number <= len(choices):
        return str(choices[number - 1])
    return body


_STATUS_RANK = {
    MessageStatus.QUEUED.value: 0,
    MessageStatus.SENDING.value: 1,
    MessageStatus.SENT.value: 2,
    MessageStatus.DELIVERED.value: 3,
}
_TWILIO_STATUS = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
}


@router.post(STATUS_PATH)
async def delivery_status(request: Request) -> Response:
    sms, transport = _channel(request)
    params = await _signed_form(request, sms)
    outbox_id = request.query_params.get("outbox_id", "")
    await run_blocking(lambda: _record_status(sms, transport.clock, outbox_id, params))
    return Response(status_code=204)


def _record_status(sms: SmsChannel, clock: Clock, outbox_id: str, params: dict[str, str]) -> None:
    new = _TWILIO_STATUS.get(params.get("MessageStatus", ""))
    sid = params.get("MessageSid", "")
    if new is None or not sid:
        return
    now = clock.now()
    with transaction(sms.session_factory) as session:
        query = select(Message).where(
            Message.direction == Direction.OUT.value, Message.channel == Channel.SMS.value
        )
        if outbox_id.isdigit():
            query = query.where(Message.id == int(outbox_id))
        else:
            query = query.where(Message.channel_message_id == sid)
        row = session.scalars(query.with_for_update()).first()
        if row is None or (row.channel_message_id not in (None, sid)):
            return
        row.channel_message_id = sid
        row.claimed_until = None
        if new == MessageStatus.FAILED:
            if row.status != MessageStatus.DELIVERED.value:
                row.status = MessageStatus.FAILED.value
                code = params.get("ErrorCode", "")
                row.last_error = f"Twilio reports {params.get('MessageStatus')} (error {code})"
            return
        if _STATUS_RANK.get(row.status, 9) < _STATUS_RANK[new.value]:
            row.status = new.value
            row.sent_at = row.sent_at or now
            if new == MessageStatus.DELIVERED:
                row.delivered_at = now
