"""The pipeline as a citizen meets it: replies, redeliveries, handoff silence, failures."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel, InboundMessage, Reply
from bot.pipeline.port import Delivery
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    ChannelIdentity,
    Citizen,
    Conversation,
    ConversationStatus,
    Message,
    MessageStatus,
)
from flows.types import Effect, RecordAbsence, Step
from tests.chat import ChatTester
from tests.database import recorded_statements


def _count(services: Services, model: Any) -> int:
    with transaction(services.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_greeting_gets_a_greeting_with_choices(chat: ChatTester) -> None:
    replies = chat.say("Hej")
    assert "chatbot" in replies[0].text
    assert replies[0].choices


def test_both_sides_are_stored_with_the_intent(chat: ChatTester, services: Services) -> None:
    chat.say("hej")
    with transaction(services.session_factory) as session:
        rows = session.scalars(select(Message).order_by(Message.id)).all()
        assert [(r.direction, r.sender) for r in rows] == [("in", "citizen"), ("out", "bot")]
        assert rows[0].intent == "greet"
        assert rows[1].in_reply_to_id == rows[0].id
        assert rows[1].status == MessageStatus.SENT


def test_a_redelivered_message_is_handled_once_and_answered_the_same(
    chat: ChatTester, services: Services
) -> None:
    first = chat.send("hej", message_id="upd-42")
    again = chat.send("hej", message_id="upd-42")
    assert again.duplicate
    assert [r.id for r in again.replies] == [r.id for r in first.replies]
    assert _count(services, Message) == 2


def test_one_citizen_and_one_conversation_per_address(chat: ChatTester, services: Services) -> None:
    chat.say("hej")
    chat.say("hej igen")
    assert _count(services, Citizen) == 1
    assert _count(services, ChannelIdentity) == 1
    assert _count(services, Conversation) == 1


def test_the_bot_is_silent_while_a_consultant_holds_the_conversation(
    chat: ChatTester, services: Services
) -> None:
    chat.say("hej")
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        conversation.status = ConversationStatus.CONSULTANT.value
    assert chat.say("hej, er du der?") == []
    assert _count(services, Message) == 3  # the citizen's message is still stored


def test_asking_for_a_person_puts_the_conversation_in_the_queue(
    chat: ChatTester, services: Services
) -> None:
    chat.say("jeg vil tale med et menneske")
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.status == ConversationStatus.WAITING
        assert conversation.waiting_since is not None


def test_a_crisis_message_while_waiting_still_gets_the_crisis_numbers(
    chat: ChatTester, services: Services
) -> None:
    chat.say("kan jeg tale med en konsulent")
    assert "minutter" in chat.say_text("ok")  # acknowledged, with the expected wait
    assert chat.say("ok ok") == []  # the same burst: acknowledged once
    text = chat.say_text("jeg tænker på selvmord")
    assert "70 201 201" in text
    assert "112" in text
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.priority >= 100


def test_a_cpr_number_is_never_stored_and_the_citizen_is_told(
    chat: ChatTester, services: Services
) -> None:
    text = chat.say_text("hej mit cpr er 010190-1234")
    assert "CPR" in text
    with transaction(services.session_factory) as session:
        stored = [m.text or "" for m in session.scalars(select(Message))]
    assert not any("1234" in t for t in stored)


def test_several_replies_are_stored_in_order_each_under_its_own_id(
    chat: ChatTester, services: Services
) -> None:
    result = services.dispatcher.handle(
        InboundMessage(Channel.WEB, chat.address, "hej mit cpr er 010190-1234"),
        delivery=Delivery.INLINE,
    )
    assert len(result.replies) >= 2  # the CPR notice, then the greeting
    assert "CPR" in result.replies[0].text
    with transaction(services.session_factory) as session:
        stored = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id)
        ).all()
        conversation = session.scalars(select(Conversation)).one()
        assert [(m.id, m.text) for m in stored] == [(r.id, r.text) for r in result.replies]
        assert conversation.inbound_in_window == 1  # written in the same statement on PostgreSQL


def test_a_failing_flow_keeps_the_message_and_apologises(
    chat: ChatTester, services: Services
) -> None:
    class BrokenFlows:
        def step(self, *args: object) -> object:
            raise RuntimeError("bug")

    services.dispatcher.flows = BrokenFlows()  # type: ignore[assignment]
    replies = chat.say("hej")
    assert "gik noget galt" in replies[0].text
    with transaction(services.session_factory) as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert inbound.text == "hej"


class _Unwritable(Effect):
    """An effect whose write fails (a bug, or the database refusing it)."""


def test_a_failing_effect_undoes_the_whole_step_keeps_the_message_and_apologises(
    chat: ChatTester, services: Services
) -> None:
    assert chat.say("hej")

    class AbsenceThenFailure:
        def step(self, state: dict[str, Any], *_: object) -> Step:
            absence = RecordAbsence(reason="sick", starts_on=date(2026, 11, 23))
            return Step(
                replies=[Reply("Tak, du er meldt syg.")],
                effects=[absence, _Unwritable()],
                next_state={**state, "flow": "absence"},
            )

    def fail(*_: object) -> None:
        raise RuntimeError("the write failed")

    services.effects.register(_Unwritable, fail)
    real_flows = services.dispatcher.flows
    services.dispatcher.flows = AbsenceThenFailure()  # type: ignore[assignment]

    replies = chat.say("jeg er syg")

    assert "gik noget galt" in replies[0].text
    assert _count(services, AbsenceNotice) == 0  # the absence written before the failure
    with transaction(services.session_factory) as session:
        said = session.scalars(select(Message.text).where(Message.direction == "in")).all()
        conversation = session.scalars(select(Conversation)).one()
    assert said == ["hej", "jeg er syg"]
    assert conversation.flow_state.get("flow") != "absence"
    services.dispatcher.flows = real_flows
    assert chat.say("hvor mange feriedage har jeg")  # the conversation goes on


@pytest.mark.parametrize(
    ("channel", "address"), [(Channel.SMS, "+4512345678"), (Channel.WEB, "web-session-1")]
)
def test_concurrent_first_messages_from_one_address_make_one_citizen(
    services: Services, channel: Channel, address: str
) -> None:
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            services.dispatcher.handle(
                InboundMessage(channel, address, f"hej {n}", channel_message_id=f"m{n}"),
                delivery=Delivery.INLINE,
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(services, Citizen) == 1
    assert _count(services, Conversation) == 1
    assert _count(services, Message) == 16


def test_concurrent_redeliveries_are_handled_once(services: Services) -> None:
    results = []

    def send() -> None:
        results.append(
            services.dispatcher.handle(
                InboundMessage(Channel.SMS, "+4587654321", "hej", channel_message_id="SMdup"),
                delivery=Delivery.INLINE,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(not r.duplicate for r in results) == 1
    assert len({tuple(x.id for x in r.replies) for r in results}) == 1
    assert _count(services, Message) == 2


def test_an_sms_citizen_gets_their_phone_number_recorded(services: Services) -> None:
    services.dispatcher.handle(
        InboundMessage(Channel.SMS, "+4522334455", "hej", channel_message_id="SM1"),
        delivery=Delivery.INLINE,
    )
    with transaction(services.session_factory) as session:
        assert session.scalars(select(Citizen)).one().phone == "+4522334455"


def test_a_flood_gets_one_calm_notice_then_silence_and_nothing_is_lost(
    chat: ChatTester, services: Services
) -> None:
    answered = [bool(chat.say("hej")) for _ in range(30)]
    assert all(answered)
    notice = chat.say_text("hej")
    assert "mange beskeder" in notice
    assert [chat.say("hej") for _ in range(5)] == [[]] * 5
    with transaction(services.session_factory) as session:
        inbound = session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    assert inbound == 36


def test_a_crisis_message_gets_through_a_flood(chat: ChatTester) -> None:
    for _ in range(40):
        chat.say("hej")
    assert "70 201 201" in chat.say_text("jeg vil ikke leve mere, selvmord")


def test_the_pace_recovers_after_a_minute(chat: ChatTester, clock: FixedClock) -> None:
    for _ in range(35):
        chat.say("hej")
    clock.set(clock.now() + timedelta(seconds=61))
    assert chat.say("hej")


def test_at_most_the_configured_number_of_messages_are_worked_on_at_once(
    services: Services,
) -> None:
    dispatcher = services.dispatcher
    dispatcher.concurrency = 2
    busy = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()

    def work() -> int:
        nonlocal busy, most
        with lock:
            busy += 1
            most = max(most, busy)
        release.wait(timeout=0.05)
        with lock:
            busy -= 1
        return 1

    async def many() -> list[int]:
        return list(await asyncio.gather(*(dispatcher.in_thread(work) for _ in range(6))))

    assert asyncio.run(many()) == [1] * 6
    assert most == 2


def test_a_new_citizens_first_message_looks_up_no_conversation_or_reminder(
    chat: ChatTester, services: Services
) -> None:
    with recorded_statements(services.engine) as seen:
        assert chat.say("hej")
    read = [statement.lower() for statement in seen]
    assert not any(s.startswith("select conversations") for s in read)
    assert not any(s.startswith("select reminders") for s in read)
    with transaction(services.session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_when_a_citizen_was_last_seen_is_kept_to_the_hour(
    chat: ChatTester, services: Services, clock: FixedClock
) -> None:
    def last_seen() -> tuple[Any, Any]:
        with transaction(services.session_factory) as session:
            identity = session.scalars(select(ChannelIdentity)).one()
            return identity.last_seen_at, identity.citizen.last_seen_at

    chat.say("hej")
    first_seen = clock.now()
    clock.set(first_seen + timedelta(minutes=50))
    chat.say("hvor mange feriedage har jeg")
    assert last_seen() == (first_seen, first_seen)  # within the hour: no UPDATE

    clock.set(first_seen + timedelta(hours=2))
    chat.say("tak")
    assert last_seen() == (clock.now(), clock.now())
