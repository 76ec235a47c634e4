"""A consultant's SMS reply: counted as it is typed, refused past the part limit (never cut
silently), and the transcript marks a citizen's edited message."""

from __future__ import annotations

import html

from sqlalchemy import select

from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Message
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.bot.inbox.test_queue import _conversation
from tests.chat import ChatTester

PHONE = "+4520304050"
LONG_REPLY = ("Vi har kigget på din sag, og det ser fint ud. " * 21).strip()  # 965 characters


def _held_by_anna(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant, channel: Channel
) -> int:
    address = PHONE if channel == Channel.SMS else "7001234"
    ChatTester(services, channel, address).say("jeg vil tale med et menneske")
    conversation = _conversation(services, address)
    make_consultant("anna")
    inbox.login("anna")
    inbox.post(f"/inbox/conversations/{conversation.id}/claim")
    return conversation.id


def _consultant_rows(services: Services) -> list[Message]:
    with transaction(services.session_factory) as db:
        return list(db.scalars(select(Message).where(Message.sender == "consultant")).all())


def test_an_sms_reply_past_the_part_limit_is_refused_with_the_count_and_not_queued(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    assert len(LONG_REPLY) == 965
    conversation_id = _held_by_anna(services, inbox, make_consultant, Channel.SMS)

    response = inbox.post(f"/inbox/conversations/{conversation_id}/reply", text=LONG_REPLY)

    page = html.unescape(inbox.get(response.headers["location"]).text)
    assert "Svaret er for langt til en SMS: 7 dele, højst 2." in page
    assert _consultant_rows(services) == []


def test_an_sms_reply_within_the_limit_is_queued_and_the_page_counts_parts(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation_id = _held_by_anna(services, inbox, make_consultant, Channel.SMS)
    page = inbox.get(f"/inbox/conversations/{conversation_id}").text
    assert 'id="sms-counter"' in page
    assert 'data-max="2"' in page

    inbox.post(f"/inbox/conversations/{conversation_id}/reply", text="Vi ringer i morgen 🙂")

    [row] = _consultant_rows(services)
    assert (row.channel, row.status) == ("sms", "queued")


def test_a_telegram_reply_has_no_sms_counter_and_no_sms_limit(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation_id = _held_by_anna(services, inbox, make_consultant, Channel.TELEGRAM)
    assert 'id="sms-counter"' not in inbox.get(f"/inbox/conversations/{conversation_id}").text

    inbox.post(f"/inbox/conversations/{conversation_id}/reply", text=LONG_REPLY)

    [row] = _consultant_rows(services)
    assert (row.channel, row.text) == ("telegram", LONG_REPLY)


def test_an_edited_message_is_marked_in_the_transcript(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    conversation_id = _held_by_anna(services, inbox, make_consultant, Channel.TELEGRAM)
    with transaction(services.session_factory) as db:
        first = db.scalars(select(Message).where(Message.direction == "in")).first()
        assert first is not None
        first.edited = True

    fragment = inbox.get(f"/inbox/conversations/{conversation_id}/transcript.fragment").text
    assert '<span class="edited">redigeret</span>' in fragment
