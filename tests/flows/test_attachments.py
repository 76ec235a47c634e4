"""A message with a file, with the pure engine: a receipt, the caption read as text, and a sick
note linked to an open absence only after a yes; no absence is ever proposed from a caption."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from flows.content import Content
from flows.engine import FlowEngine
from flows.types import AttachToAbsence, OpenAbsence, RecordAbsence, Step
from tests.flows.test_engine import Talk, said

NOTICE = OpenAbsence(notice_id=41, starts_on=date(2026, 11, 20), reason="own_sickness")


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


def send_file(talk: Talk, caption: str, intent: str, **context: object) -> Step:
    plain = talk.context
    talk.context = replace(plain, **{"attachments": ("photo",), **context})  # type: ignore[arg-type]
    try:
        return talk.say(caption, intent)
    finally:
        talk.context = plain


def test_a_photo_alone_gets_a_receipt(engine: FlowEngine) -> None:
    step = send_file(Talk(engine), "", "nlu_fallback")

    assert said(step).startswith("Tak, jeg har fået dit billede.")
    assert step.effects == []


def test_a_sick_note_while_an_absence_is_open_is_linked_only_after_a_yes(
    engine: FlowEngine,
) -> None:
    talk = Talk(engine)
    asked = send_file(talk, "lægeerklæring", "fravaer", open_absence=NOTICE)
    assert "Hører det til din besked om fravær fra fredag 20. november?" in said(asked)
    assert asked.effects == []

    step = talk.say("ja", "affirm")

    assert step.effects == [AttachToAbsence(41)]
    assert "lagt det ved" in said(step)


def test_a_no_links_nothing(engine: FlowEngine) -> None:
    talk = Talk(engine)
    send_file(talk, "", "nlu_fallback", open_absence=NOTICE)

    step = talk.say("nej", "deny")

    assert step.effects == []


def test_a_sick_note_caption_proposes_no_absence_for_today(engine: FlowEngine) -> None:
    talk = Talk(engine)
    step = send_file(talk, "her er min lægeerklæring", "fravaer")

    assert "Vil du give besked om fravær?" in said(step)
    assert "syg fra" not in said(step)
    assert step.effects == []
    # A yes starts the absence report, which asks for the reason: still nothing recorded.
    report = talk.say("ja", "affirm")
    assert not [e for e in report.effects if isinstance(e, RecordAbsence)]
    assert "Hvad er grunden til dit fravær?" in said(report)


def test_another_caption_is_answered_as_a_message_after_the_receipt(engine: FlowEngine) -> None:
    step = send_file(Talk(engine), "Hvad er jeres åbningstider?", "opening_hours")

    replies = [reply.text for reply in step.replies]
    assert replies[0].startswith("Tak, jeg har fået dit billede.")
    assert len(replies) >= 2


def test_a_refused_file_with_no_caption_leaves_the_answer_to_the_core(engine: FlowEngine) -> None:
    step = send_file(Talk(engine), "", "nlu_fallback", attachments=(), attachment_refused=True)

    assert step.replies == []
