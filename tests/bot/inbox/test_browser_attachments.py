"""A consultant opens a citizen's photo and PDF in the inbox, in Debian's Chromium (Playwright):
the picture is decoded and shown under the inbox's strict CSP, the PDF downloads as itself."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.kernel.messages import Attachment, Channel, InboundMessage
from bot.pipeline.port import Delivery
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AuditEntry, Citizen
from tests.bot.inbox.conftest import PASSWORD, MakeConsultant
from tests.bot.inbox.test_browser import TIMEOUT_MS, _login, browser, live_server
from tests.bot.web.test_chat_browser import REPORT_VIOLATIONS

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server"]  # the fixtures, used here by name

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(width: int, height: int) -> bytes:
    """A real PNG (a red rectangle) the browser must decode to show."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_a_consultant_sees_the_photo_and_downloads_the_pdf(
    browser: Any,
    live_server: str,
    services: Services,
    make_consultant: MakeConsultant,
    tmp_path: Path,
) -> None:
    anna = make_consultant("anna")
    result = services.dispatcher.handle(
        InboundMessage(
            Channel.SMS,
            "+4520304050",
            "Her er min lægeerklæring",
            "MM" + "1" * 32,
            attachments=(
                Attachment("media", "image/png", png(40, 30)),
                Attachment("media", "application/pdf", PDF, "erklaering.pdf"),
            ),
        ),
        delivery=Delivery.INLINE,
    )
    with transaction(services.session_factory) as db:
        db.execute(
            update(Citizen).where(Citizen.id == result.citizen_id).values(team_id=anna.team_id)
        )

    context = browser.new_context(accept_downloads=True)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    _login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server}/inbox/conversations/{result.conversation_id}")
    page.wait_for_selector("text=Her er min lægeerklæring")
    image = page.wait_for_selector(".attachment img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image)
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [40, 30]

    with page.expect_download() as download_info:
        page.click(".attachment a[download]")
    download = download_info.value
    assert download.suggested_filename == "erklaering.pdf"
    saved = tmp_path / "download.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF
    assert violations == []  # the picture and the page need nothing the strict CSP refuses

    with transaction(services.session_factory) as db:
        views = db.scalars(
            select(AuditEntry.object_id).where(AuditEntry.action == "view_attachment")
        ).all()
    assert len(views) >= 2
    assert set(views) == {result.conversation_id}
