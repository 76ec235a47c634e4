"""A transport id is a sender's own: a redelivery from the same sender gets the first answer, the
same id from another sender is refused before anything is made, and nobody gets the first
sender's replies."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.kernel.errors import ForeignRedelivery, InvalidMessage
from bot.kernel.messages import Channel, InboundMessage, Reply
from bot.pipeline.port import Delivery
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, Conversation, Message

FIRST, SECOND = "+4520000001", "+4520000002"


def _count(services: Services, model: Any) -> int:
    with transaction(services.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _sms(address: str, text: str = "hej", sid: str = "SM0001") -> InboundMessage:
    return InboundMessage(Channel.SMS, address, text, channel_message_id=sid)


def test_the_same_sender_s_redelivery_gets_the_first_answer(services: Services) -> None:
    first = services.dispatcher.handle(_sms(FIRST), delivery=Delivery.INLINE)
    again = services.dispatcher.handle(_sms(FIRST), delivery=Delivery.INLINE)
    assert again.duplicate
    assert [r.id for r in again.replies] == [r.id for r in first.replies]


def test_a_new_sender_reusing_an_id_is_refused_before_becoming_a_citizen(
    services: Services,
) -> None:
    services.dispatcher.handle(_sms(FIRST, "jeg hedder Sofie"), delivery=Delivery.INLINE)
    before = _count(services, Citizen), _count(services, Message)

    with pytest.raises(ForeignRedelivery):
        services.dispatcher.handle(_sms(SECOND), delivery=Delivery.INLINE)

    assert (_count(services, Citizen), _count(services, Message)) == before


def test_a_known_sender_reusing_another_s_id_is_refused_and_nothing_changes(
    services: Services,
) -> None:
    services.dispatcher.handle(_sms(FIRST, sid="SM-A"), delivery=Delivery.INLINE)
    services.dispatcher.handle(_sms(SECOND, sid="SM-B"), delivery=Delivery.INLINE)
    before = _count(services, Message), _count(services, Conversation)

    with pytest.raises(ForeignRedelivery):
        services.dispatcher.handle(_sms(SECOND, sid="SM-A"), delivery=Delivery.INLINE)

    assert (_count(services, Message), _count(services, Conversation)) == before


def test_a_fixed_answer_to_another_sender_s_id_is_refused_and_its_hook_never_runs(
    services: Services,
) -> None:
    services.dispatcher.handle(_sms(FIRST, sid="SM-C"), delivery=Delivery.INLINE)
    hooked = []

    def hook(session: Any, citizen: Citizen, now: Any) -> Citizen:
        hooked.append(citizen.id)
        return citizen

    with pytest.raises(ForeignRedelivery):
        services.dispatcher.answer_fixed(
            _sms(SECOND, "STOP", sid="SM-C"),
            lambda _: [Reply("ok")],
            delivery=Delivery.INLINE,
            stored_text="STOP",
            on_citizen=hook,
        )
    assert hooked == []
    assert _count(services, Citizen) == 1


def test_an_id_longer_than_the_column_is_refused(services: Services) -> None:
    with pytest.raises(InvalidMessage):
        services.dispatcher.handle(_sms(FIRST, sid="S" * 101), delivery=Delivery.INLINE)
    assert _count(services, Citizen) == 0
