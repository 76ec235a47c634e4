"""Stories: a citizen gets a reminder in the web chat and answers JA, NEJ, FLYT or how it goes.

The flow engine on main does not yet ask flows/reminder_reply.py first (the dialogue flows wire
that in, calling ``handle``); these stories use an engine that does it the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.domain.reminders.dispatch import ReminderDispatcher
from bot.domain.reminders.planning import ReminderPlanner
from bot.domain.reminders.policy import ReminderPolicy
from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Booking, Conversation, Reminder
from flows.engine import FlowEngine
from flows.reminder_reply import handle
from flows.types import FlowContext, Step, StoredState, SummaryKey
from integrations.webchat import WebChatOptions
from nlu.types import ParseResult, empty_result
from tests.chat import ChatTester
from tests.scheduling_data import make_booking, make_consultant, make_location

MEETING = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Copenhagen
REMINDER_TIME = MEETING - timedelta(hours=47)  # the 48-hour reminder has just gone out


class ReminderAwareEngine(FlowEngine):
    def step(self, state: StoredState, parse: ParseResult, context: FlowContext) -> Step:
        if context.pending_reminder is not None:
            answer = handle(state, parse, context, self.content)
            if answer is not None:
                return answer
        return super().step(state, parse, context)


class WordsOnlyRecognizer:
    """No intents: the stories show the reply words alone are understood, whatever the NLU."""

    def parse(self, text: str, *, now: datetime | None = None) -> ParseResult:
        return empty_result(text)


@pytest.fixture
def web_chat(services: Services) -> ChatTester:
    services.dispatcher.flows = ReminderAwareEngine(services.content)
    services.dispatcher.recognizer = WordsOnlyRecognizer()
    return ChatTester(services)


def send_due(services: Services, clock: FixedClock) -> None:
    ReminderDispatcher(
        session_factory=services.session_factory,
        clock=clock,
        content=services.content,
        settings=services.config.settings,
    ).dispatch_due()


def booked_and_reminded(services: Services, chat: ChatTester, clock: FixedClock) -> int:
    chat.say("hej")  # the citizen is known from the web chat
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        citizen = conversation.citizen
        consultant = make_consultant(session, "Mette Hansen")
        location = make_location(session, consultant)
        booking = make_booking(
            session,
            citizen,
            MEETING,
            consultant=consultant,
            location=location,
            booked_via="web",
            now=clock.now(),
        )
        services.booking_listeners.changed(session, booking, clock.now())
        booking_id = booking.id
    clock.set(REMINDER_TIME)
    send_due(services, clock)
    return booking_id


def booking(services: Services, booking_id: int) -> Booking:
    with transaction(services.session_factory) as session:
        found = session.get(Booking, booking_id)
        assert found is not None
        return found


def test_the_reminder_reaches_the_web_chat_with_answer_buttons(
    services: Services, web_chat: ChatTester, clock: FixedClock, client: TestClient
) -> None:
    # The reminder goes out two hours after the citizen wrote: a chat session kept that long
    # (the shipped webchat.session_idle_minutes, 30, would have ended it, and an ended session
    # is served nothing: tests/integrations/test_webchat_sessions.py).
    client.app.state.webchat = WebChatOptions(session_idle=timedelta(hours=3))
    booked_and_reminded(services, web_chat, clock)
    response = client.get("/api/chat/messages", params={"session": web_chat.address})
    [reminder] = response.json()["replies"]
    assert reminder["text"] == (
        "Husk din tid hos Mette Hansen onsdag 25. november kl. 10.00 på Jobcenter Nord, "
        "Nørregade 4. Svar JA hvis du kommer, NEJ hvis du ikke kan, FLYT for en ny tid."
    )
    assert reminder["choices"] == ["JA", "NEJ", "FLYT"]


def test_ja_confirms_the_meeting_once(
    services: Services, web_chat: ChatTester, clock: FixedClock
) -> None:
    booking_id = booked_and_reminded(services, web_chat, clock)
    assert web_chat.say_text("JA") == "Tak for dit svar. Vi ses onsdag 25. november kl. 10.00."
    confirmed = booking(services, booking_id)
    assert (confirmed.status, confirmed.confirmed_at) == ("confirmed", REMINDER_TIME)
    # The reminder is answered: a later "ja" is not taken as a second answer.
    assert web_chat.say_text("ja") != "Tak for dit svar. Vi ses onsdag 25. november kl. 10.00."


def test_nej_cancels_the_meeting_its_reminders_and_offers_a_new_time(
    services: Services, web_chat: ChatTester, clock: FixedClock
) -> None:
    booking_id = booked_and_reminded(services, web_chat, clock)
    [reply] = web_chat.say("nej, jeg kan ikke")
    assert reply.text == (
        "Tak fordi du siger til. Din tid onsdag 25. november kl. 10.00 er aflyst. "
        "Vil du have en ny tid?"
    )
    assert reply.choices == ("Ja, en ny tid", "Nej tak")
    cancelled = booking(services, booking_id)
    assert cancelled.status == "cancelled"
    with transaction(services.session_factory) as session:
        statuses = session.scalars(
            select(Reminder.status).where(Reminder.booking_id == booking_id).order_by(Reminder.id)
        ).all()
    assert statuses == ["sent", "cancelled"]  # the 2-hour reminder will not come
    with transaction(services.session_factory) as session:
        state = session.scalars(select(Conversation.flow_state)).one()
    # The booking flow's yes/no question: "Ja, en ny tid" starts booking.
    assert state["pending"]["yes"] == {"start": "book_meeting"}


def test_flyt_keeps_the_meeting_and_asks_to_move_it(
    services: Services, web_chat: ChatTester, clock: FixedClock
) -> None:
    booking_id = booked_and_reminded(services, web_chat, clock)
    [reply] = web_chat.say("FLYT")
    assert reply.text == "Vil du flytte din tid onsdag 25. november kl. 10.00 til en anden dag?"
    assert reply.choices == ("Ja, flyt den", "Nej, behold den")
    assert booking(services, booking_id).status == "booked"
    with transaction(services.session_factory) as session:
        state = session.scalars(select(Conversation.flow_state)).one()
        answered = session.scalars(
            select(Reminder.answer).where(Reminder.answered_at.is_not(None))
        ).all()
    assert state["pending"]["yes"] == {"start": "reschedule_meeting"}
    assert answered == ["move"]


def test_a_check_in_answer_lands_in_the_consultant_queue(
    services: Services, web_chat: ChatTester, clock: FixedClock
) -> None:
    web_chat.say("hej")
    planner = ReminderPlanner(ReminderPolicy.from_settings(services.config.settings))
    with transaction(services.session_factory) as session:
        citizen = session.scalars(select(Conversation)).one().citizen
        planner.set_check_in(session, citizen, 2, clock.now())
    clock.set(clock.now() + timedelta(weeks=2, days=1))
    send_due(services, clock)
    answer = web_chat.say_text("Det går fint, jeg har fået en praktikplads")
    assert "kontaktperson" in answer
    with transaction(services.session_factory) as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.status == "waiting"
        assert conversation.handoff_reason == "check_in"
        assert conversation.priority == 0
        assert conversation.handoff_summary is not None
        assert conversation.handoff_summary["check_in_answer"] == (
            "Det går fint, jeg har fået en praktikplads"
        )
        # Every part of the summary has a label in the consultant inbox.
        assert set(conversation.handoff_summary) <= {key.value for key in SummaryKey}


def test_after_another_reply_the_reminder_is_no_longer_the_latest_thing_said(
    services: Services, web_chat: ChatTester, clock: FixedClock
) -> None:
    from bot.domain.reminders.answers import load_pending_reminder

    booked_and_reminded(services, web_chat, clock)

    def pending_is_latest() -> bool:
        with transaction(services.session_factory) as session:
            citizen_id = session.scalars(select(Conversation.citizen_id)).one()
            pending = load_pending_reminder(
                session,
                citizen_id,
                clock.now(),
                content=services.content,
                language="da",
                tz=services.config.settings.tz,
            )
            assert pending is not None
            return pending.latest

    assert pending_is_latest()
    web_chat.say("hej")  # the bot answers: its reply is newer than the reminder
    assert not pending_is_latest()
