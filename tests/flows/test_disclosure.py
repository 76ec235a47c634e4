"""The first reply on every channel says the citizen writes with a chatbot (EU AI Act art. 50)."""

from __future__ import annotations

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from tests.flows.parses import context, parse

NOTICE = "Du skriver med jobcentrets chatbot"


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


@pytest.mark.parametrize("channel", ["web", "telegram"])
def test_the_notice_opens_the_first_reply_in_the_chat(engine: FlowEngine, channel: str) -> None:
    step = engine.step(
        {}, parse("book en tid", "book_meeting"), context(channel=channel, first_contact=True)
    )
    assert step.replies[0].text.startswith(NOTICE)
    assert step.replies[0].choices  # the times offered stay with their question


def test_on_sms_the_notice_is_its_own_message_first(engine: FlowEngine) -> None:
    step = engine.step(
        {}, parse("book en tid", "book_meeting"), context(channel="sms", first_contact=True)
    )
    assert step.replies[0].text.startswith(NOTICE)
    assert step.replies[0].choices == ()
    assert step.replies[1].choices


def test_later_messages_have_no_notice(engine: FlowEngine) -> None:
    step = engine.step({}, parse("book en tid", "book_meeting"), context())
    assert NOTICE not in step.replies[0].text


def test_the_greeting_says_it_itself(engine: FlowEngine) -> None:
    step = engine.step({}, parse("hej", "greet"), context(first_contact=True))
    assert len(step.replies) == 1
    assert "chatbot" in step.replies[0].text
    assert NOTICE not in step.replies[0].text


def test_after_the_crisis_numbers(engine: FlowEngine) -> None:
    step = engine.step({}, parse("jeg vil ikke leve mere", "crisis"), context(first_contact=True))
    assert step.replies[0].text.splitlines()[0].endswith("ring 112.")
    assert step.replies[-1].text.startswith(NOTICE)


def test_in_the_language_the_citizen_writes(engine: FlowEngine) -> None:
    step = engine.step(
        {}, parse("I want to book a meeting", "book_meeting"), context(first_contact=True)
    )
    assert step.replies[0].text.startswith("You are writing with the jobcentre's chatbot")
