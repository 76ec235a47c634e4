"""The chat's privacy reply: who is responsible, every retention period as configured, rights
and Datatilsynet, in plain Danish; short and GSM-7 on SMS."""

from __future__ import annotations

import pytest

from bot.kernel.gsm7 import gsm7_length, sms_parts
from bot.kernel.lix import lix
from flows.content import Content
from flows.engine import FlowEngine
from flows.types import PrivacyFacts
from tests.flows.test_engine import Talk, said

FACTS = PrivacyFacts(
    controller="Testby Kommune",
    dpo_email="dpo@testby.example",
    notice_url="https://chat.testby.example/privacy",
    messages_days=91,
    absence_notices_days=222,
    job_profiles_days=333,
    bookings_days=44,
    inactive_citizens_days=555,
)


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


def test_the_reply_states_what_config_says(engine: FlowEngine) -> None:
    text = said(Talk(engine, privacy=FACTS).say("hvad gemmer I om mig", "privacy"))
    for stated in (
        "Testby Kommune",
        "efter 91 dage",
        "efter 222 dage",
        "333 dage efter",
        "555 dage",
        "Datatilsynet",
        "https://chat.testby.example/privacy",
        "chatbot",
    ):
        assert stated in text
    assert lix(text.replace("https://chat.testby.example/privacy", "her")) <= 35


def test_the_sms_reply_is_gsm7_fits_two_parts_and_has_no_link(engine: FlowEngine) -> None:
    step = Talk(engine, privacy=FACTS, channel="sms").say("hvad gemmer I om mig", "privacy")
    [reply] = step.replies
    assert "dpo@testby.example" in reply.text
    assert "http" not in reply.text  # Danish operators may filter SMS with links
    whole = "\n".join([reply.text, *reply.choices])
    assert gsm7_length(whole) is not None
    assert sms_parts(whole) <= 2
