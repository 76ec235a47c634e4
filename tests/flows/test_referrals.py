"""Out of scope with a referral: a question another authority handles is answered with who
handles it and how to reach them, then a person is offered; an unknown out-of-scope question
keeps the plain reply."""

from __future__ import annotations

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from flows.referrals import REFERRALS, referral_for
from flows.types import HandOff, HandoffReason
from tests.flows.parses import context, parse

CONTENT = Content.load()


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("betaler kommunen for mine briller", "health_grants"),
        ("kan jeg få tilskud til tandlægen", "health_grants"),
        ("hvornår får jeg penge tilbage i skat", "tax"),
        ("min forskudsopgørelse er forkert", "tax"),
        ("jeg vil søge boligstøtte", "housing_benefit"),
        ("hvornår kan jeg gå på folkepension", "state_pension"),
        ("jeg har mistet mit MitID", "borgerservice"),
        ("jeg skal have nyt pas", "borgerservice"),
        ("kan jeg blive fritaget for digital post, jeg kan ikke finde ud af det", "borgerservice"),
        ("jeg har brug for en bostøtte", "social_services"),
        ("kan jeg få dækket merudgifter til min kørestol", "social_services"),
        ("can I get help paying for glasses", "health_grants"),
        ("where do I apply for housing benefit", "housing_benefit"),
        ("I lost my passport", "borgerservice"),
        ("jeg har mistet mit sundhedskort", "health_card"),
        ("where do I order a new health insurance card", "health_card"),
    ],
)
def test_the_topic_is_recognised(text: str, topic: str) -> None:
    referral = referral_for(text)
    assert referral is not None
    assert referral.topic == topic


@pytest.mark.parametrize(
    "text", ["hvad er meningen med livet", "kan I anbefale en god pizza", "passer det"]
)
def test_other_questions_are_no_referral(text: str) -> None:
    assert referral_for(text) is None


@pytest.mark.parametrize("referral", REFERRALS, ids=lambda referral: referral.topic)
def test_every_referral_has_a_sourced_answer_in_both_languages(referral: object) -> None:
    key = referral.answer_key
    for language in ("da", "en"):
        answer = CONTENT.answer(language, key)
        assert answer.sources
        assert all(s.url.startswith("https://") for s in answer.sources)


def test_an_out_of_scope_tax_question_says_who_and_then_offers_a_person() -> None:
    engine = FlowEngine(CONTENT)
    first = engine.step(
        {}, parse("hvornår kommer min overskydende skat", "out_of_scope"), context()
    )
    text = "\n".join(reply.text for reply in first.replies)
    assert "Skattestyrelsen" in text
    assert "skat.dk" in text
    assert "medarbejder" in text
    yes = engine.step(first.next_state, parse("ja", "affirm"), context())
    handoffs = [effect for effect in yes.effects if isinstance(effect, HandOff)]
    assert handoffs
    assert handoffs[0].reason == HandoffReason.UNANSWERABLE
    assert handoffs[0].summary["details"]["referral"] == "tax"


def test_a_referral_read_as_nothing_by_the_nlu_is_still_referred() -> None:
    engine = FlowEngine(CONTENT)
    step = engine.step({}, parse("boligstøtte??", "nlu_fallback", 0.2), context(channel="sms"))
    text = "\n".join(reply.text for reply in step.replies)
    assert "Udbetaling Danmark" in text
    assert "70 12 80 63" in text


def test_an_unknown_out_of_scope_question_keeps_the_plain_reply() -> None:
    engine = FlowEngine(CONTENT)
    step = engine.step({}, parse("kan I anbefale en god pizza", "out_of_scope"), context())
    assert CONTENT.text("da", "core.out_of_scope") in "\n".join(r.text for r in step.replies)


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("hvornår får jeg penge tilbage i skat", "benefit_amount", "Skattestyrelsen"),
        ("hvor langt er min ansøgning om folkepension", "case_status", "Udbetaling Danmark"),
        ("jeg vil klage over min boligstøtte", "complaint", "Udbetaling Danmark"),
    ],
)
def test_another_authoritys_topic_read_as_a_jobcenter_topic_is_referred(
    text: str, intent: str, expected: str
) -> None:
    step = FlowEngine(CONTENT).step({}, parse(text, intent), context())
    assert expected in "\n".join(reply.text for reply in step.replies)


def test_a_kommune_grant_read_as_one_off_help_keeps_the_one_off_answer() -> None:
    step = FlowEngine(CONTENT).step({}, parse("hjælp til tandlæge", "benefit_amount"), context())
    assert "før du køber" in "\n".join(reply.text for reply in step.replies)


def test_a_driving_licence_in_the_story_of_a_complaint_keeps_the_complaint_answer() -> None:
    text = "jeg mistede mit kørekort og nu har kommunen trukket mig, det er jeg uenig i"
    step = FlowEngine(CONTENT).step({}, parse(text, "complaint"), context())
    assert "Ankestyrelsen" in "\n".join(reply.text for reply in step.replies)
