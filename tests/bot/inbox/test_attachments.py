"""A consultant sees a citizen's files in the transcript (the picture inline, the voice message
as a player, the PDF as a link, a refused file as a marker) and opens them under the
conversation's own team rules, each view in the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from bot.kernel.messages import Attachment, AttachmentProblem, Channel, InboundMessage
from bot.pipeline.port import Delivery
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AbsenceNotice, AuditEntry, Citizen, Consultant, MessageAttachment
from tests.bot.inbox.conftest import InboxClient, InboxFactory, MakeConsultant

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x22" * 100
PDF = b"%PDF-1.4\n%%EOF\n"
OGG = b"OggS\x00\x02" + b"\x00" * 50


def citizen_sends_files(services: Services, team_of: Consultant) -> int:
    """A Telegram citizen of ``team_of``'s team sends a photo, a PDF, a voice message and a
    file that was too large; returns the conversation id."""
    result = services.dispatcher.handle(
        InboundMessage(
            Channel.TELEGRAM,
            "5550001",
            "Her er min lægeerklæring",
            "upd-1",
            attachments=(
                Attachment("photo", "image/jpeg", JPEG),
                Attachment("document", "application/pdf", PDF, "lægeerklæring 2.pdf"),
                Attachment("voice", "audio/ogg", OGG),
                Attachment(
                    "document", "application/pdf", None, "scan.pdf", AttachmentProblem.TOO_LARGE
                ),
            ),
        ),
        delivery=Delivery.OUTBOX,
    )
    with transaction(services.session_factory) as db:
        db.execute(
            update(Citizen).where(Citizen.id == result.citizen_id).values(team_id=team_of.team_id)
        )
    return result.conversation_id


def file_ids(services: Services) -> dict[str, int]:
    with transaction(services.session_factory) as db:
        rows = db.execute(
            select(MessageAttachment.id, MessageAttachment.kind, MessageAttachment.problem)
        ).all()
    return {("marker" if row.problem else row.kind): row.id for row in rows}


def logged_in(inbox_factory: InboxFactory, username: str) -> InboxClient:
    client = inbox_factory()
    assert client.login(username).status_code == 303
    return client


def views_of_files(services: Services) -> list[AuditEntry]:
    with transaction(services.session_factory) as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_attachment"))
        found = list(entries)
        db.expunge_all()
        return found


def test_the_transcript_shows_the_picture_the_player_the_link_and_the_marker(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    anna = make_consultant("anna")
    conversation_id = citizen_sends_files(services, anna)
    ids = file_ids(services)

    page = logged_in(inbox_factory, "anna").get(f"/inbox/conversations/{conversation_id}").text

    assert f'<img src="/inbox/attachments/{ids["photo"]}"' in page
    assert re.search(
        rf'<audio controls preload="none" src="/inbox/attachments/{ids["voice"]}"', page
    )
    assert (
        f'<a href="/inbox/attachments/{ids["document"]}" download>lægeerklæring 2.pdf</a>' in page
    )
    assert "Borgeren sendte en fil, der var for stor. Den blev ikke gemt: scan.pdf" in page
    assert "Her er min lægeerklæring" in page  # the caption is the message's text
    assert "style=" not in page  # nothing the strict CSP would block


def test_a_picture_opens_inline_as_itself_and_the_view_is_audited_on_the_conversation(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    anna = make_consultant("anna")
    conversation_id = citizen_sends_files(services, anna)
    photo = file_ids(services)["photo"]

    response = logged_in(inbox_factory, "anna").get(f"/inbox/attachments/{photo}")

    assert response.status_code == 200
    assert response.content == JPEG
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "private, no-store"
    [view] = views_of_files(services)
    assert (view.consultant_id, view.object_type, view.object_id) == (
        anna.id,
        "conversation",
        conversation_id,
    )
    assert view.detail == {"attachment": photo}


def test_a_pdf_is_downloaded_under_its_own_name_never_shown_in_the_inbox(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    anna = make_consultant("anna")
    citizen_sends_files(services, anna)

    response = logged_in(inbox_factory, "anna").get(
        f"/inbox/attachments/{file_ids(services)['document']}"
    )

    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="l_geerkl_ring 2.pdf"; '
        "filename*=UTF-8''l%C3%A6geerkl%C3%A6ring%202.pdf"
    )


def test_another_team_gets_404_for_the_file_and_nothing_is_audited(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    anna = make_consultant("anna", team="Jobcenter Nord")
    make_consultant("bo", team="Jobcenter Syd")
    citizen_sends_files(services, anna)
    bo = logged_in(inbox_factory, "bo")

    for file_id in file_ids(services).values():
        assert bo.get(f"/inbox/attachments/{file_id}").status_code == 404
    assert views_of_files(services) == []


def test_a_refused_file_or_an_unknown_id_is_not_found(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    anna = make_consultant("anna")
    citizen_sends_files(services, anna)
    client = logged_in(inbox_factory, "anna")

    assert client.get(f"/inbox/attachments/{file_ids(services)['marker']}").status_code == 404
    assert client.get("/inbox/attachments/999999").status_code == 404
    assert client.get("/inbox/attachments/abc").status_code in (404, 422)
    assert views_of_files(services) == []


def test_a_file_is_not_served_to_someone_not_logged_in(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    anna = make_consultant("anna")
    citizen_sends_files(services, anna)

    response = inbox_factory().get(f"/inbox/attachments/{file_ids(services)['photo']}")

    assert response.status_code in (303, 401)
    assert JPEG not in response.content


def test_a_sick_note_linked_to_an_absence_is_on_the_citizen_s_page(
    services: Services, make_consultant: MakeConsultant, inbox_factory: InboxFactory
) -> None:
    anna = make_consultant("anna")
    citizen_sends_files(services, anna)
    pdf = file_ids(services)["document"]
    with transaction(services.session_factory) as db:
        citizen_id = db.scalars(select(Citizen.id)).one()
        notice = AbsenceNotice(
            citizen_id=citizen_id, starts_on=services.clock.now().date(), reason="own_sickness"
        )
        db.add(notice)
        db.flush()
        db.execute(
            update(MessageAttachment)
            .where(MessageAttachment.id == pdf)
            .values(absence_notice_id=notice.id)
        )

    page = logged_in(inbox_factory, "anna").get(f"/inbox/citizens/{citizen_id}").text

    assert f'<a class="notice-file" href="/inbox/attachments/{pdf}">lægeerklæring 2.pdf</a>' in page
