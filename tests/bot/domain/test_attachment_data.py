"""A citizen's files follow their data rights: in the export, gone with the citizen (from the
database file itself), and deleted when config's privacy.retention.attachments ends."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.domain.citizen_data import delete_citizen, export_citizen, purge_expired
from bot.kernel.clock import FixedClock
from bot.kernel.messages import Attachment, Channel, InboundMessage
from bot.pipeline.port import Delivery
from bot.runtime.privacy_settings import RetentionSettings
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Message, MessageAttachment
from tests.bot.domain.test_erasure_leaves_no_trace import _files_hold

# Bytes no other row holds, so the database file can be searched for them.
SICK_NOTE = b"%PDF-1.4 Laegeerklaering for Xylofonia Kvartetsen %%EOF"


def send_sick_note(services: Services) -> int:
    result = services.dispatcher.handle(
        InboundMessage(
            Channel.TELEGRAM,
            "5550001",
            "",
            "upd-1",
            attachments=(Attachment("document", "application/pdf", SICK_NOTE, "note.pdf"),),
        ),
        delivery=Delivery.OUTBOX,
    )
    return result.citizen_id


def count_files(services: Services) -> int:
    with transaction(services.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(MessageAttachment)) or 0)


def test_the_export_holds_each_file_with_its_content(services: Services) -> None:
    citizen_id = send_sick_note(services)

    with transaction(services.session_factory) as session:
        data = export_citizen(session, citizen_id)

    json.dumps(data)
    [exported] = data["attachments"]
    assert exported["filename"] == "note.pdf"
    assert exported["content_type"] == "application/pdf"
    assert base64.b64decode(exported["content_base64"]) == SICK_NOTE


def test_a_deleted_citizen_s_files_are_in_no_database_file(services: Services) -> None:
    citizen_id = send_sick_note(services)
    assert _files_hold(services, "Xylofonia Kvartetsen")

    with transaction(services.session_factory) as session:
        delete_citizen(session, citizen_id, services.clock.now(), services.booking_listeners)

    assert count_files(services) == 0
    assert not _files_hold(services, "Xylofonia Kvartetsen")


def test_files_go_when_their_retention_ends_and_the_message_row_stays(
    services: Services, clock: FixedClock
) -> None:
    send_sick_note(services)
    retention = RetentionSettings(messages=400, attachments=30)

    with transaction(services.session_factory) as session:
        report = purge_expired(session, clock.now() + timedelta(days=29), retention)
    assert report.attachments == 0
    assert count_files(services) == 1

    with transaction(services.session_factory) as session:
        report = purge_expired(session, clock.now() + timedelta(days=31), retention)
    assert report.attachments == 1
    assert count_files(services) == 0
    with transaction(services.session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Message)) >= 1


def test_a_purged_file_is_in_no_database_file(services: Services, clock: FixedClock) -> None:
    send_sick_note(services)
    assert _files_hold(services, "Xylofonia Kvartetsen")

    with transaction(services.session_factory) as session:
        purge_expired(session, clock.now() + timedelta(days=31), RetentionSettings(attachments=30))

    assert not _files_hold(services, "Xylofonia Kvartetsen")
