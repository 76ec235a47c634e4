"""Reminder wording: personal, local time, one SMS."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.kernel.gsm7 import gsm7_length, sms_parts
from flows.content import Content
from flows.reminder_text import MeetingDetails, meeting_reminder_text, meeting_when

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 23, 8, 12, tzinfo=UTC)  # Monday
MEETING = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 09:00 in Copenhagen


@pytest.fixture(scope="module")
def content() -> Content:
    return Content.load()


def sms(
    content: Content, meeting: MeetingDetails, language: str = "da", key: str = "before"
) -> str:
    return meeting_reminder_text(
        content, language, meeting, intro_key=key, now=NOW, tz=COPENHAGEN, sms=True
    )


def test_the_meeting_time_is_said_in_copenhagen_time(content: Content) -> None:
    assert meeting_when(content, "da", MEETING, NOW, COPENHAGEN) == "onsdag 25. november kl. 9.00"
    tomorrow = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
    assert meeting_when(content, "da", tomorrow, NOW, COPENHAGEN) == "i morgen kl. 13.30"
    today = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
    assert meeting_when(content, "en", today, NOW, COPENHAGEN) == "today at 14:05"


def test_a_reminder_names_the_consultant_time_place_and_the_reply_words(content: Content) -> None:
    meeting = MeetingDetails(MEETING, "Mette Hansen", "Jobcenter Nord", "Nørregade 4")
    text = sms(content, meeting)
    assert text == (
        "Husk din tid hos Mette Hansen onsdag 25. november kl. 9.00 på Jobcenter Nord, "
        "Nørregade 4. Svar JA hvis du kommer, NEJ hvis du ikke kan, FLYT for en ny tid."
    )
    assert sms_parts(text) == 1
    assert "CANCEL" not in text.upper()


def test_directions_and_what_to_bring_are_added_while_it_stays_one_sms(content: Content) -> None:
    with_directions = sms(
        content, MeetingDetails(MEETING, "Ali", "Jobcenter", directions="Opgang B")
    )
    assert "på Jobcenter. Opgang B. Svar JA" in with_directions
    with_bring = sms(content, MeetingDetails(MEETING, "Ali", "Jobcenter", topic="jobonsker"))
    assert "Tag gerne dit CV med." in with_bring
    both = sms(
        content,
        MeetingDetails(MEETING, "Ali", "Jobcenter", directions="Opgang B", topic="jobonsker"),
    )
    assert "Opgang B." in both  # where to go matters more than what to bring
    for text in (with_directions, with_bring, both):
        assert gsm7_length(text) is not None
        assert len(text) <= 160


def test_long_details_are_dropped_before_a_second_sms_is_needed(content: Content) -> None:
    meeting = MeetingDetails(
        MEETING,
        "Mette Kristine Søndergaard-Hansen",
        "Jobcenter København, Center for Job og Uddannelse",
        "Kalvebod Brygge 45, 2. sal",
        directions="Tag elevatoren i opgang C og spørg efter os i receptionen til venstre",
        topic="jobonsker",
        citizen_name="Fatima",
    )
    text = sms(content, meeting)
    assert sms_parts(text) <= 2
    assert "Mette Kristine Søndergaard-Hansen" in text
    assert "Svar JA" in text


def test_a_chat_reminder_keeps_every_detail(content: Content) -> None:
    meeting = MeetingDetails(
        MEETING, "Ali", "Jobcenter", "Vej 1", "Opgang B", topic="jobonsker", citizen_name="Sara"
    )
    text = meeting_reminder_text(
        content, "da", meeting, intro_key="confirmation", now=NOW, tz=COPENHAGEN, sms=False
    )
    assert text.startswith(
        "Hej Sara. Du har fået en tid hos Ali onsdag 25. november kl. 9.00 på Jobcenter, Vej 1."
    )
    assert "Opgang B." in text
    assert "CV" in text


def test_a_phone_meeting_says_the_consultant_will_call(content: Content) -> None:
    meeting = MeetingDetails(MEETING, "Ali", "Telefon", by_phone=True)
    assert "kl. 9.00 på telefon (Ali ringer til dig)." in sms(content, meeting)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("key", ["before", "confirmation", "moved"])
def test_every_plain_reminder_fits_one_sms(content: Content, language: str, key: str) -> None:
    meeting = MeetingDetails(MEETING, "Mette Hansen", "Jobcenter Nord", "Nørregade 4")
    text = sms(content, meeting, language, key)
    assert sms_parts(text) == 1, (len(text), text)
