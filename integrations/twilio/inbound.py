"""``POST /webhooks/twilio/sms``: a citizen's SMS, answered with TwiML.

The request's signature is checked first (:mod:`integrations.twilio.signature`); an MMS's media
are then fetched (:mod:`integrations.twilio.media`) and handed on with the text. A number
answering numbered choices ("2") reaches the flows as written: they read it against the choices
they offered.

Opt-out keywords follow Twilio's default handling: STOP, UNSUBSCRIBE, END, QUIT, STOPALL,
REVOKE, OPTOUT and CANCEL opt the number out, START/UNSTOP (and YES from an opted-out number)
opt it in again, HELP/INFO ask for help. Twilio itself answers these words (and blocks any other
answer to an opted-out number), so the bot records the choice in ``Citizen.sms_opted_out`` and
answers with an empty TwiML: the citizen never gets two answers. Bot texts never ask a citizen to
reply CANCEL (see the content test).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.identity import normalise_phone
from bot.domain.reachability import learn_sms_delivered
from bot.kernel.errors import InvalidMessage
from bot.kernel.messages import Channel, InboundMessage
from bot.pipeline.port import Delivery, DispatchResult, InboundPipeline
from bot.runtime.error_answers import documented_errors
from bot.store.db import SessionFactory, transaction
from bot.store.models import Citizen
from integrations.direct_route import DirectRoute
from integrations.twilio.outbound import format_sms
from integrations.twilio.signature import message_sid, signed_request

log = logging.getLogger(__name__)

SMS_PATH = "/webhooks/twilio/sms"

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "REVOKE", "OPTOUT", "CANCEL"}
)
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
OPT_IN_WHEN_OPTED_OUT = frozenset({"YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
ALL_KEYWORDS = OPT_OUT_KEYWORDS | OPT_IN_KEYWORDS | OPT_IN_WHEN_OPTED_OUT | HELP_KEYWORDS

TWIML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# POST /webhooks/twilio/sms alone, included ahead of every other router (bot/web/app.py).
message_router = APIRouter(route_class=DirectRoute)


def twiml(bodies: Sequence[str], actions: Sequence[str] = ()) -> Response:
    """A TwiML answer with one ``<Message>`` per body, as Twilio's ``MessagingResponse``
    writes it (tests compare the two), without building an element tree per message.

    ``actions`` are the messages' status callback URLs (``<Message action=...>``): Twilio
    reports each message's fate there as for one sent through the REST API.
    """
    if not bodies:
        document = f"{TWIML_DECLARATION}<Response />"
    else:
        opening = [
            f"<Message action={quoteattr(action)}" if action else "<Message"
            for action in [*actions, *[""] * (len(bodies) - len(actions))]
        ]
        messages = "".join(
            f"{tag}>{escape(body)}</Message>" if body else f"{tag} />"
            for tag, body in zip(opening, bodies, strict=True)
        )
        document = f"{TWIML_DECLARATION}<Response>{messages}</Response>"
    return Response(content=document, media_type="application/xml")


@message_router.post(SMS_PATH, responses=documented_errors(400, 403, 404, 413))
async def inbound_sms(request: Request) -> Response:
    sms, transport, params = await signed_request(request)
    try:
        sender = normalise_phone(params.get("From", ""))
    except ValueError as exc:
        raise HTTPException(400, "From is not a phone number") from exc
    sid = message_sid(params)
    dispatcher: InboundPipeline = transport.pipeline
    # Fetched before the message is handled, asynchronously: a failed fetch is a marker.
    attachments = await sms.media.fetch(params)
    inbound = InboundMessage(
        channel=Channel.SMS,
        address=sender,
        text=params.get("Body", ""),
        channel_message_id=sid,
        attachments=attachments,
    )
    session_factory = sms.session_factory
    # One trip to a worker thread for all the blocking work of a message.
    result = await dispatcher.in_thread(lambda: _handle_sms(session_factory, dispatcher, inbound))
    if result is None:
        return twiml([])
    replies = [r for r in result.replies if r.channel == Channel.SMS]
    return twiml(
        [format_sms(r.text, r.choices, sms.max_segments) for r in replies],
        [sms.status_callback(r) for r in replies],
    )


def _handle_sms(
    session_factory: SessionFactory,
    dispatcher: InboundPipeline,
    inbound: InboundMessage,
) -> DispatchResult | None:
    """A keyword (STOP, START, HELP), or a message for the bot: its answer, or None when there
    is nothing to answer."""
    keyword = inbound.text.strip().upper()
    if keyword in ALL_KEYWORDS and _keyword(session_factory, dispatcher, inbound, keyword):
        return None
    # After STOP no answer goes in the TwiML (Twilio would refuse it with 21610): the replies
    # are stored and the outbox marks them not sent, saying why.
    opted_out = sms_reachability(session_factory, inbound.address)
    delivery = Delivery.OUTBOX if opted_out else Delivery.INLINE_REPORTED
    try:
        # An MMS without text carries its media (or their markers): handled, never refused.
        result = dispatcher.handle(inbound, delivery=delivery)
        return None if opted_out else result
    except InvalidMessage as exc:
        log.info("SMS %s refused: %s", inbound.channel_message_id, exc.code)
        return None


def sms_reachability(session_factory: SessionFactory, phone: str) -> bool:
    """Has the number opted out of SMS? An SMS from it also proves that it is reachable again
    (after Twilio's 30004-30006), so that mark is cleared."""
    with transaction(session_factory) as session:
        found = session.execute(
            select(Citizen.id, Citizen.sms_opted_out, Citizen.sms_unreachable).where(
                Citizen.phone == phone
            )
        ).first()
        if found is None:
            return False
        if found.sms_unreachable is not None:
            learn_sms_delivered(session, found.id)
        return bool(found.sms_opted_out)


def _keyword(
    session_factory: SessionFactory,
    dispatcher: InboundPipeline,
    inbound: InboundMessage,
    keyword: str,
) -> bool:
    """Record an opt-out/opt-in/help keyword; False when it is an ordinary word after all."""
    if keyword in OPT_IN_WHEN_OPTED_OUT:
        with transaction(session_factory) as session:
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

    try:
        dispatcher.answer_fixed(
            inbound, lambda _: [], delivery=Delivery.INLINE, stored_text=keyword, on_citizen=record
        )
    except InvalidMessage as exc:
        log.info("SMS %s refused: %s", inbound.channel_message_id, exc.code)
    return True
