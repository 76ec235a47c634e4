"""The parameters of a webhook request Twilio signed, checked by twilio's ``RequestValidator``.

Twilio signs ``X-Twilio-Signature`` over the URL it requested (``server.public_url`` + path +
query; with or without the default port) and:

* a form's parameters, sorted by name (HMAC-SHA1 keyed by the auth token, or HMAC-SHA256 when
  ``X-Twilio-Webhooks-Signature-Settings`` names that algorithm);
* for a JSON body, nothing but the URL, which carries the body's SHA-256 in ``bodySHA256``.

Which of these applies, and what is accepted, is the validator's: a request it refuses gets 403
and nothing is stored.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlparse

from fastapi import HTTPException, Request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from bot.kernel.bounds import CHANNEL_MESSAGE_ID_MAX_CHARS, load_json
from bot.pipeline.port import TransportContext

if TYPE_CHECKING:
    from integrations.twilio.outbound import SmsChannel

log = logging.getLogger(__name__)

FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
BODY_HASH_PARAMETER = "bodySHA256"
# Twilio's SIDs are two letters and 32 hex digits; anything printable that fits is kept.
_SID = re.compile(rf"^[A-Za-z0-9_-]{{1,{CHANNEL_MESSAGE_ID_MAX_CHARS}}}$")


class FormFields(dict[str, str]):
    """A form's fields (the last value of a repeated one).

    ``getall`` is the multidict lookup ``RequestValidator`` tries first for each parameter;
    answering it spares two failing attribute lookups per parameter, half the check's time.
    """

    def getall(self, name: str) -> list[str]:
        return [self[name]]


class WebhookSignatures:
    """``X-Twilio-Signature`` checked by twilio's own validator, keyed by the auth token."""

    def __init__(self, auth_token: str) -> None:
        self._validator = RequestValidator(auth_token)

    def valid(
        self, url: str, signed: Mapping[str, str] | str, signature: str, settings: str | None
    ) -> bool:
        """``signed`` is the form's fields, or a JSON body's text when ``url`` has its hash."""
        algorithm = get_signature_algorithm(settings)
        return bool(self._validator.validate(url, signed, signature, algorithm))


async def signed_request(request: Request) -> tuple[SmsChannel, TransportContext, FormFields]:
    """The SMS channel, the transport context and the parameters of a request Twilio signed:
    404 when SMS is off, 403 when the signature is not Twilio's."""
    channels = getattr(request.app.state, "channels", None)
    sms: SmsChannel | None = channels.sms if channels is not None else None
    if sms is None:
        raise HTTPException(404, "SMS is not configured")
    url = sms.public_url + request.scope["path"]  # what request.url gives, without building it
    if request.scope.get("query_string"):
        url += "?" + request.url.query
    signed, params = await _read(request, url)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    settings = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    if not signature or not sms.signatures.valid(url, signed, signature, settings):
        log.warning("refused a Twilio request with a bad signature on %s", request.url.path)
        raise HTTPException(403, "invalid Twilio signature")
    return sms, request.app.state.transport, params


async def _read(request: Request, url: str) -> tuple[FormFields | str, FormFields]:
    """What the signature covers (the form, or a hashed JSON body's text) and the parameters."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM_TYPE:
        form = parse_form((await request.body()).decode("utf-8", errors="replace"))
        return form, form
    if content_type == JSON_TYPE and _has_body_hash(url):
        text = (await request.body()).decode("utf-8", errors="replace")
        return text, _json_fields(text)
    fields = FormFields((key, str(value)) for key, value in (await request.form()).items())
    return fields, fields


def message_sid(params: Mapping[str, str], *, required: bool = True) -> str:
    """The request's ``MessageSid`` (or the older ``SmsSid``), checked to fit the column.

    Raises:
        HTTPException: 400 when it is missing (and ``required``), too long or not printable.
    """
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not sid:
        if required:
            raise HTTPException(400, "MessageSid is missing")
        return ""
    if not _SID.match(sid):
        raise HTTPException(400, "MessageSid is not a Twilio id")
    return sid


def _has_body_hash(url: str) -> bool:
    """Does the validator check a body hash for this URL (its own reading of the query)?"""
    return BODY_HASH_PARAMETER in parse_qs(urlparse(url).query)


def _json_fields(text: str) -> FormFields:
    """A JSON object's fields as text; no fields for any other body."""
    try:
        body = load_json(text.encode())
    except ValueError:
        return FormFields()
    if not isinstance(body, dict):
        return FormFields()
    return FormFields(
        (str(name), value if isinstance(value, str) else json.dumps(value))
        for name, value in body.items()
    )


def parse_form(body: str) -> FormFields:
    """``dict(parse_qsl(body, keep_blank_values=True))`` in half its time: the same split, and
    ``unquote`` only where there is something to unquote (names and most values have nothing)."""
    fields = FormFields()
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
