"""A reply to a reminder's own message (Telegram's reply_to_message) answers that reminder,
even after other messages were sent since."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.reminders.answers import load_pending_reminder
from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Conversation, Reminder
from tests.bot.domain.reminders.test_answers_in_chat import (  # noqa: F401 (fixture)
    booked_and_reminded,
    web_chat,
)
from tests.chat import ChatTester


def test_a_reply_to_the_reminder_reads_it_as_the_latest_thing_said(
    services: Services,
    web_chat: ChatTester,  # noqa: F811 (the fixture)
    clock: FixedClock,
) -> None:
    booked_and_reminded(services, web_chat, clock)
    web_chat.say("hej")  # the bot answers: its reply is newer than the reminder
    with transaction(services.session_factory) as session:
        citizen_id = session.scalars(select(Conversation.citizen_id)).one()
        reminder_message = session.scalars(
            select(Reminder.message_id).where(Reminder.message_id.is_not(None))
        ).first()
        assert reminder_message is not None

    def pending(replies_to: int | None) -> bool:
        with transaction(services.session_factory) as session:
            found = load_pending_reminder(
                session,
                citizen_id,
                clock.now(),
                content=services.content,
                language="da",
                tz=services.config.settings.tz,
                replies_to=replies_to,
            )
            assert found is not None
            return found.latest

    assert not pending(None)
    assert pending(reminder_message)
    assert not pending(reminder_message + 1000)  # a reply to some other message: as before
