"""Answers, whatever their wording: governed (sources, verified, review-by), English inheriting
the Danish governance, and shown by channel: the SMS text on SMS; elsewhere the text, each source
as a link and the date it was checked. Past its review-by date an answer is never shown: the
citizen is told the rule is being checked and a person takes over."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from flows.content import Answer, Content
from flows.questions import Menu
from flows.turn import Turn
from flows.types import HandOff, HandoffReason, Staffing, SummaryKey
from tests.flows.parses import context, parse

CONTENT = Content.load()
ANSWER_KEYS = [answer.key for answer in CONTENT.answers("da")]


def test_there_are_answers_to_check() -> None:
    assert ANSWER_KEYS
    assert len(CONTENT.answers("en")) == len(ANSWER_KEYS)


@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_every_answer_has_https_sources_a_role_and_a_review_date_after_verifying(
    key: str,
) -> None:
    answer = CONTENT.answer("da", key)
    assert answer.text
    assert answer.sms
    assert answer.sources
    assert all(source.url.startswith("https://") for source in answer.sources)
    assert answer.verified_by
    assert answer.verified <= answer.review_by


@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_english_has_its_own_wording_and_inherits_the_danish_governance(key: str) -> None:
    danish, english = CONTENT.answer("da", key), CONTENT.answer("en", key)
    assert english.text != danish.text
    assert english.sms != danish.sms
    assert (english.sources, english.verified, english.verified_by, english.review_by) == (
        danish.sources,
        danish.verified,
        danish.verified_by,
        danish.review_by,
    )


def turn_on(answer: Answer, channel: str, language: str = "da", **changes: object) -> Turn:
    """A turn on a day the answer is current, unless ``changes`` says otherwise."""
    now = datetime.combine(answer.verified, time(10), tzinfo=UTC)
    values: dict[str, object] = {"now": now, "channel": channel, "language": language}
    values.update(changes)
    return Turn(CONTENT, parse("et spørgsmål"), context(**values), {}, language)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_sms_gets_the_sms_text_as_written(key: str, language: str) -> None:
    answer = CONTENT.answer(language, key)
    turn = turn_on(answer, "sms", language)
    assert turn.answer(key)
    assert [reply.text for reply in turn.replies] == [answer.sms]


@pytest.mark.parametrize("channel", ["web", "telegram"])
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_web_chat_and_telegram_get_the_text_each_source_as_a_link_and_the_checked_date(
    key: str, channel: str
) -> None:
    answer = CONTENT.answer("da", key)
    turn = turn_on(answer, channel)
    assert turn.answer(key)
    [reply] = turn.replies
    lines = reply.text.splitlines()
    assert reply.text.startswith(answer.text)
    for source in answer.sources:
        line = next(line for line in lines if source.url in line)
        assert source.title in line
        if source.section:
            assert source.section in line
    assert f"Tjekket {answer.verified.day}." in lines[-1]
    assert str(answer.verified.year) in lines[-1]
    assert not turn.effects


@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_the_answer_is_still_shown_on_its_review_by_date(key: str) -> None:
    answer = CONTENT.answer("da", key)
    turn = turn_on(answer, "web", now=datetime.combine(answer.review_by, time(10), tzinfo=UTC))
    assert turn.answer(key)
    assert turn.replies[0].text.startswith(answer.text)


@pytest.mark.parametrize("channel", ["web", "sms"])
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_past_its_review_by_date_the_rule_is_not_stated_and_a_person_takes_over(
    key: str, channel: str
) -> None:
    answer = CONTENT.answer("da", key)
    day_after = datetime.combine(answer.review_by + timedelta(days=1), time(10), tzinfo=UTC)
    turn = turn_on(answer, channel, now=day_after)
    assert not turn.answer(key)
    said = "\n".join(reply.text for reply in turn.replies)
    assert CONTENT.text("da", "answers.under_review") in said
    assert answer.text not in said
    assert answer.sms not in said
    [handoff] = turn.effects
    assert isinstance(handoff, HandOff)
    assert handoff.reason == HandoffReason.CONTENT_EXPIRED
    assert handoff.summary[SummaryKey.DETAILS]["expired_answer"] == answer.key


def test_an_expired_answer_while_closed_says_so_and_offers_the_wait_or_a_callback() -> None:
    answer = CONTENT.answer("da", ANSWER_KEYS[0])
    day_after = datetime.combine(answer.review_by + timedelta(days=1), time(20), tzinfo=UTC)
    closed = Staffing(open_now=False, next_opening=day_after + timedelta(hours=12))
    turn = turn_on(answer, "web", now=day_after, staffing=closed)
    assert not turn.answer(ANSWER_KEYS[0])
    assert turn.replies[0].text == CONTENT.text("da", "answers.under_review")
    assert isinstance(turn.pending, Menu)
    assert turn.pending.reason == HandoffReason.CONTENT_EXPIRED
    assert "handoff_wait" in turn.pending.options
