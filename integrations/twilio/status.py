"""``POST /webhooks/twilio/status``: Twilio's delivery status for an SMS the outbox sent.

The callback URL carries the outbox row's id (``?outbox_id=``), so the row is found even before
its Twilio SID is recorded. Callbacks arrive out of order: a status only moves forward (queued,
sending, sent, delivered), and a failure marks any message but a delivered one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select

from bot.domain.reachability import learn_sms_delivered, learn_twilio_error, reroute
from bot.kernel.bounds import row_id
from bot.kernel.clock import Clock
from bot.kernel.messages import Channel
from bot.runtime.error_answers import documented_errors
from bot.runtime.threads import run_blocking
from bot.store.db import transaction
from bot.store.models import Direction, Message, MessageStatus
from integrations.twilio.signature import message_sid, signed_request

if TYPE_CHECKING:
    from integrations.twilio.outbound import SmsChannel

STATUS_PATH = "/webhooks/twilio/status"

_STATUS_RANK = {
    MessageStatus.QUEUED.value: 0,
    MessageStatus.SENDING.value: 1,
    MessageStatus.SENT.value: 2,
    MessageStatus.DELIVERED.value: 3,
}
_TWILIO_STATUS = {
    # Accepted by Twilio: what "sent" means here (a TwiML reply learns its SID this way).
    "accepted": MessageStatus.SENT,
    "queued": MessageStatus.SENT,
    "sending": MessageStatus.SENT,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
}

# Twilio's error codes are five digits; the stored error text must fit its column.
MAX_ERROR_CODE_CHARS = 10

router = APIRouter()


@router.post(STATUS_PATH, responses=documented_errors(400, 403, 404, 413))
async def delivery_status(request: Request) -> Response:
    sms, transport, params = await signed_request(request)
    raw_outbox_id = request.query_params.get("outbox_id")
    outbox_id = row_id(raw_outbox_id) if raw_outbox_id else None
    if raw_outbox_id and outbox_id is None:
        raise HTTPException(400, "outbox_id is not a message id")
    sid = message_sid(params, required=False)
    error_code = params.get("ErrorCode", "")
    if len(error_code) > MAX_ERROR_CODE_CHARS:
        raise HTTPException(400, "ErrorCode is too long")
    await run_blocking(lambda: _record_status(sms, transport.clock, outbox_id, sid, params))
    return Response(status_code=204)


def _record_status(
    sms: SmsChannel, clock: Clock, outbox_id: int | None, sid: str, params: dict[str, str]
) -> None:
    new = _TWILIO_STATUS.get(params.get("MessageStatus", ""))
    if new is None or not sid:
        return
    now = clock.now()
    with transaction(sms.session_factory) as session:
        query = select(Message).where(
            Message.direction == Direction.OUT.value, Message.channel == Channel.SMS.value
        )
        if outbox_id is not None:
            query = query.where(Message.id == outbox_id)
        else:
            query = query.where(Message.channel_message_id == sid)
        row = session.scalars(query.with_for_update()).first()
        if row is None or (row.channel_message_id not in (None, sid)):
            return
        row.channel_message_id = sid
        row.claimed_until = None
        if new == MessageStatus.FAILED:
            if row.status != MessageStatus.DELIVERED.value:
                was_failed = row.status == MessageStatus.FAILED.value
                row.status = MessageStatus.FAILED.value
                code = params.get("ErrorCode", "")
                row.last_error = f"Twilio reports {params.get('MessageStatus')} (error {code})"
                if learn_twilio_error(session, row.citizen_id, code) and not was_failed:
                    reroute(session, row, now)
            return
        if new == MessageStatus.DELIVERED:
            learn_sms_delivered(session, row.citizen_id)
        if _STATUS_RANK.get(row.status, 9) < _STATUS_RANK[new.value]:
            row.status = new.value
            row.sent_at = row.sent_at or now
            if new == MessageStatus.DELIVERED:
                row.delivered_at = now
