"""Conversation stories (in the spirit of Rasa test stories), run through the real dispatcher,
database and embedded NLU against the demo jobcenter.

Each story in ``tests/stories/*.yml``::

    - story: what it shows
      channel: web | sms | telegram     # optional, web by default
      at: "2026-11-23T18:30:00+00:00"   # optional clock (default: Monday 09:12 Copenhagen)
      steps:
        - user: what the citizen writes
          bot: [text the replies must contain, ...]      # case-insensitive
          not: [text the replies must not contain, ...]
          choices: [text one of the choices must contain, ...]
          first: text the first reply must contain
          silent: true                                   # no reply at all
          wait_minutes: 11                               # the clock moves on first
        - remind: true        # no message: the reminders due now are sent (then the next step
          at: "2026-..."      # may answer one); ``at`` moves the clock first
      expect: {bookings: 1, absence: own_sickness, status: waiting, ...}
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli.demo import seed_demo
from bot.domain.reminders.dispatch import ReminderDispatcher
from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.runtime.config import AppConfig, load_config
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    AbsenceNotice,
    Booking,
    Citizen,
    Conversation,
    JobProfile,
    Message,
)
from bot.wiring import build_services
from nlu.types import IntentRecognizer
from tests.chat import ChatTester

STORY_DIR = Path(__file__).parent


def _load_stories() -> list[dict[str, Any]]:
    stories: list[dict[str, Any]] = []
    for path in sorted(STORY_DIR.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            story["file"] = path.name
            stories.append(story)
    return stories


STORIES = _load_stories()


def test_there_are_at_least_forty_stories_with_distinct_names() -> None:
    names = [story["story"] for story in STORIES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


@pytest.fixture(scope="session")
def story_recognizer(tmp_path_factory: pytest.TempPathFactory) -> IntentRecognizer:
    from bot.wiring import build_recognizer

    config = load_config(
        env={
            "DATABASE_URL": "sqlite://",
            "BORGERCHAT_NLU__MODEL_DIR": str(tmp_path_factory.mktemp("story-nlu")),
        }
    )
    return build_recognizer(config)


@pytest.fixture
def story_services(
    app_config: AppConfig, engine: Any, clock: FixedClock, story_recognizer: IntentRecognizer
) -> Services:
    return build_services(app_config, engine=engine, clock=clock, recognizer=story_recognizer)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _check_expectations(services: Services, expect: dict[str, Any]) -> None:
    with transaction(services.session_factory) as session:
        citizen = session.scalars(select(Citizen)).first()
        conversation = session.scalars(select(Conversation).order_by(Conversation.id)).first()
        assert citizen is not None
        assert conversation is not None
        for key, wanted in expect.items():
            if key == "bookings":
                active = (
                    select(func.count())
                    .select_from(Booking)
                    .where(Booking.status.in_(ACTIVE_BOOKING_STATUSES))
                )
                assert _count(session, active) == wanted, key
            elif key == "cancelled":
                cancelled = (
                    select(func.count()).select_from(Booking).where(Booking.status == "cancelled")
                )
                assert _count(session, cancelled) == wanted, key
            elif key == "absence":
                assert session.scalars(select(AbsenceNotice.reason)).first() == wanted, key
            elif key == "absences":
                assert _count(session, select(func.count()).select_from(AbsenceNotice)) == wanted
            elif key == "status":
                assert conversation.status == wanted, key
            elif key == "priority":
                assert conversation.priority == wanted, key
            elif key == "handoff_reason":
                assert conversation.handoff_reason == wanted, key
            elif key == "profile":
                profile = session.scalars(select(JobProfile)).first()
                assert (profile is not None) == bool(wanted), key
                if isinstance(wanted, dict):
                    assert profile is not None
                    for field, value in wanted.items():
                        assert getattr(profile, field) == value, field
            elif key == "opted_out":
                assert citizen.reminders_opted_out == wanted, key
            elif key == "language":
                assert citizen.language == wanted, key
            elif key == "messages":
                assert _count(session, select(func.count()).select_from(Message)) == wanted
            elif key == "booked_via":
                assert session.scalars(select(Booking.booked_via)).first() == wanted, key
            elif key == "callback_phone":
                assert citizen.callback_phone == wanted, key
            else:
                raise AssertionError(f"unknown expectation {key!r}")


def _send_due_reminders(services: Services, clock: FixedClock) -> None:
    ReminderDispatcher(
        session_factory=services.session_factory,
        clock=clock,
        content=services.content,
        settings=services.config.settings,
    ).dispatch_due()


@pytest.mark.parametrize("story", STORIES, ids=[story["story"] for story in STORIES])
def test_story(story: dict[str, Any], story_services: Services, clock: FixedClock) -> None:
    if story.get("at"):
        clock.set(datetime.fromisoformat(str(story["at"])))
    with transaction(story_services.session_factory) as session:
        seed_demo(session, clock.now(), story_services.config.settings.tz)
    channel = Channel(story.get("channel", "web"))
    # A phone number on SMS, a Telegram-like chat id elsewhere.
    address = "+4520304050" if channel == Channel.SMS else str(700000 + STORIES.index(story))
    chat = ChatTester(story_services, channel=channel, address=address)
    for number, step in enumerate(story["steps"], start=1):
        if step.get("wait_minutes"):
            clock.set(clock.now() + timedelta(minutes=float(step["wait_minutes"])))
        if step.get("remind"):
            if step.get("at"):
                clock.set(datetime.fromisoformat(str(step["at"])))
            _send_due_reminders(story_services, clock)
            continue
        replies = chat.say(str(step["user"]))
        said = "\n".join(reply.text for reply in replies)
        choices = [choice for reply in replies for choice in reply.choices]
        where = f"{story['file']} / {story['story']} / step {number} ({step['user']!r}):\n{said}"
        for wanted in step.get("bot", []):
            assert str(wanted).lower() in said.lower(), f"missing {wanted!r} in {where}"
        for unwanted in step.get("not", []):
            assert str(unwanted).lower() not in said.lower(), f"unwanted {unwanted!r} in {where}"
        for wanted in step.get("choices", []):
            assert any(str(wanted).lower() in c.lower() for c in choices), (
                f"no choice with {wanted!r} in {where}\nchoices: {choices}"
            )
        if step.get("first"):
            assert replies, where
            assert str(step["first"]).lower() in replies[0].text.lower(), where
        if step.get("silent"):
            assert not replies, where
    _check_expectations(story_services, story.get("expect", {}))
