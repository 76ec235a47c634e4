"""Codes the database stores (why a chat waits, where a message came from, what a consultant did)
reach the consultant as words from the inbox's content, and an unknown code as it is."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import select

import bot.inbox
from bot.inbox.audit import AuditAction, AuditObject
from bot.inbox.text import CODE_GROUPS, InboxText, inbox_content
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceReason,
    BookingStatus,
    Conversation,
    ConversationStatus,
    Location,
    LocationKind,
    MessageStatus,
)
from flows import absence, job_wishes, topics
from flows.content import LANGUAGES, Content
from flows.engine import FlowEngine
from flows.questions import JOB_PROFILE_FIELDS
from flows.types import HandoffReason, SummaryKey, Topic
from nlu.types import FALLBACK_INTENT, INTENTS
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester
from tests.conftest import REFERENCE_TIME
from tests.scheduling_data import make_booking


def values(*enums: type[StrEnum]) -> frozenset[str]:
    return frozenset(member.value for enum in enums for member in enum)


INBOX_DIR = Path(bot.inbox.__file__).resolve().parent
FLOWS_DIR = Path(topics.__file__).resolve().parent

# Each group of labels and the only codes stored where the inbox shows them.
CODES: dict[str, frozenset[str]] = {
    "status": values(ConversationStatus, MessageStatus, BookingStatus),
    "handoff_reason": values(HandoffReason),
    "summary_key": values(SummaryKey),
    "channel": values(Channel),
    "audit_action": values(AuditAction),
    "audit_object": values(AuditObject),
    "topic": values(Topic),
    "location_kind": values(LocationKind),
    "language": frozenset(LANGUAGES),
    # A menu option starts an intent of its own ("handoff_wait"): the summary may name it.
    "intent": frozenset(INTENTS)
    | {FALLBACK_INTENT}
    | FlowEngine(Content.load()).registry.intent_names(),
    "benefit": frozenset(topics.BENEFITS),
    "pension_granted": frozenset(topics.PENSION_GRANTED.values()),
    "absence": values(AbsenceReason),
    "absence_activity": frozenset(absence.ABSENCE_ACTIVITIES),
    "kind_of_work": frozenset(job_wishes.KINDS_OF_WORK),
}


def codes(group: str) -> frozenset[str]:
    return CODES[group]


def test_every_group_the_inbox_labels_has_its_source_of_truth_here() -> None:
    assert set(CODES) == set(CODE_GROUPS)


@pytest.mark.parametrize("group", CODE_GROUPS)
def test_every_stored_code_has_a_label_in_danish_and_english_and_no_label_is_stale(
    group: str,
) -> None:
    content = inbox_content()
    for language in LANGUAGES:
        prefix = f"{group}."
        keys = content.keys(language)
        labelled = {key.removeprefix(prefix) for key in keys if key.startswith(prefix)}
        assert labelled == codes(group), (group, language)


# -- the keys of stored mappings (the summary's details, an audit entry's detail) ---------------


def _facts_written(module: Path) -> Iterator[ast.Assign]:
    """``turn.facts["key"] = ...`` and ``details["key"] = ...`` in a flows module."""
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.slice, ast.Constant)
                    and (
                        (isinstance(target.value, ast.Attribute) and target.value.attr == "facts")
                        or (isinstance(target.value, ast.Name) and target.value.id == "details")
                    )
                ):
                    yield node


def _key(assign: ast.Assign) -> str:
    target = assign.targets[0]
    assert isinstance(target, ast.Subscript)
    assert isinstance(target.slice, ast.Constant)
    return str(target.slice.value)


def stored_keys() -> dict[str, frozenset[str]]:
    """Each group of key labels and the keys the code writes into what it labels."""
    written = [assign for path in FLOWS_DIR.glob("*.py") for assign in _facts_written(path)]
    absence = next(assign.value for assign in written if _key(assign) == "absence")
    assert isinstance(absence, ast.Dict)
    pages = [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((INBOX_DIR / "routes").glob("*.py"))
    ]
    audit_details = {
        keyword.arg
        for page in pages
        for call in ast.walk(page)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "record"
        for keyword in call.keywords
        if keyword.arg not in (None, "citizen_id")
    }
    return {
        "summary_detail": frozenset(_key(assign) for assign in written),
        "absence_detail": frozenset(
            str(key.value) for key in absence.keys if isinstance(key, ast.Constant)
        ),
        "job_profile_field": frozenset((*JOB_PROFILE_FIELDS, "hours_to")),  # and a range's top
        "audit_detail": frozenset(str(key) for key in audit_details),
    }


def test_the_scan_for_stored_keys_finds_them() -> None:
    keys = stored_keys()
    assert {"topic", "absence", "job_profile", "next_meeting"} <= keys["summary_detail"]
    assert keys["absence_detail"] == {"reason", "from", "to"}
    assert {"status", "moved"} <= keys["audit_detail"]


KEY_GROUPS = ("summary_detail", "absence_detail", "job_profile_field", "audit_detail")


@pytest.mark.parametrize("group", KEY_GROUPS)
def test_every_key_the_code_stores_has_a_label_in_danish_and_english_and_none_is_stale(
    group: str,
) -> None:
    content = inbox_content()
    prefix = f"{group}."
    for language in LANGUAGES:
        keys = content.keys(language)
        labelled = {key.removeprefix(prefix) for key in keys if key.startswith(prefix)}
        assert labelled == stored_keys()[group], (group, language)


def test_the_location_kinds_are_the_databases() -> None:
    constraint = next(
        c for c in Location.__table__.constraints if "kind" in str(getattr(c, "name", ""))
    )
    stored = set(re.findall(r"'(\w+)'", str(constraint.sqltext)))  # type: ignore[attr-defined]
    assert stored == codes("location_kind")


def test_an_unknown_code_is_shown_as_it_is_and_no_code_as_nothing() -> None:
    text = InboxText("da")
    assert text.label("handoff_reason", "requested") == "bad om en medarbejder"
    assert text.label("handoff_reason", "a_reason_from_next_year") == "a_reason_from_next_year"
    assert text.label("channel", None) == ""
    assert InboxText("en").label("channel", Channel.WEB) == "web chat"


def _handed_off(services: Services, address: str) -> Conversation:
    ChatTester(services, address=address).say("jeg vil gerne tale med et menneske")
    with transaction(services.session_factory) as db:
        conversation = db.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
    assert conversation is not None
    return conversation


def test_a_handed_off_conversation_reads_in_danish_words_not_codes(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation = _handed_off(services, "websession-labels")
    assert conversation.handoff_reason == HandoffReason.REQUESTED
    assert conversation.handoff_summary is not None
    assert set(conversation.handoff_summary) <= codes("summary_key")
    make_consultant("anna", role="admin")
    inbox.login("anna")

    queue = inbox.get("/inbox").text
    assert "bad om en medarbejder" in queue
    assert "Seneste beskeder:" in queue
    page = inbox.get(f"/inbox/conversations/{conversation.id}").text
    assert "Grund:</span> bad om en medarbejder" in page
    assert "Seneste beskeder:" in page
    assert "· webchat" in page
    citizen = inbox.get(f"/inbox/citizens/{conversation.citizen_id}").text
    assert "<td>bad om en medarbejder</td>" in citizen
    assert "kanal: webchat" in citizen
    audit = inbox.get("/inbox/audit").text
    assert "så samtalen" in audit
    assert "så borgerens side" in audit
    for page_text in (queue, page, citizen, audit):
        for code in ("requested", "last_messages", ">reason:", "view_conversation", "· web ·"):
            assert code not in page_text, code


def test_a_booking_shows_its_topic_and_kind_of_place_in_words(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation = _handed_off(services, "websession-booked")
    anna = make_consultant("anna")
    with transaction(services.session_factory) as db:
        place = Location(team_id=anna.team_id, name="Telefonen", kind=LocationKind.PHONE.value)
        db.add(place)
        db.flush()
        citizen = db.get(Conversation, conversation.id).citizen  # type: ignore[union-attr]
        make_booking(
            db,
            citizen,
            REFERENCE_TIME + timedelta(days=1),
            consultant=db.get(type(anna), anna.id),
            location=place,
            topic=Topic.JOB_WISHES.value,
            now=services.clock.now(),
        )
    inbox.login("anna")
    page = inbox.get(f"/inbox/citizens/{conversation.citizen_id}").text
    assert "<td>jobønsker</td>" in page
    assert 'Telefonen <span class="muted">telefon</span>' in page
    assert "jobonsker" not in page


def test_an_unknown_stored_code_is_shown_as_it_is_not_an_error(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation = _handed_off(services, "websession-future")
    with transaction(services.session_factory) as db:
        row = db.get(Conversation, conversation.id)
        assert row is not None
        row.handoff_reason = "a_reason_from_next_year"
        row.handoff_summary = {"reason": "a_reason_from_next_year", "a_new_part": "hej"}
    make_consultant("anna")
    inbox.login("anna")
    for path in ("/inbox", f"/inbox/conversations/{conversation.id}"):
        response = inbox.get(path)
        assert response.status_code == 200, path
        assert "a_reason_from_next_year" in response.text
        assert "a_new_part:</span> hej" in response.text
