"""Files citizens send: Telegram photos, PDFs and voice through python-telegram-bot's get_file
against the fake Bot API's file server, and MMS media fetched from the fake Twilio with basic
auth and its redirect. Each is stored with its message, the caption read as the text."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AbsenceNotice, Message, MessageAttachment
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import wait_until
from tests.integrations.test_telegram import CHAT, post, update
from tests.integrations.twilio.test_inbound import post_sms, sms_params

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 2000
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OGG = b"OggS\x00\x02" + b"\x00" * 500


def photo_sizes(fake: FakeTelegramApi, data: bytes) -> list[dict[str, Any]]:
    small = fake.add_file(data[:200], path="photos/file_1_small.jpg")
    large = fake.add_file(data, path="photos/file_1.jpg")
    return [
        {"file_id": small, "file_unique_id": "s1", "width": 90, "height": 67, "file_size": 200},
        {
            "file_id": large,
            "file_unique_id": "l1",
            "width": 1280,
            "height": 960,
            "file_size": len(data),
        },
    ]


def replies_to(fake: FakeTelegramApi, count: int) -> list[str]:
    wait_until(lambda: len(fake.sent(CHAT)) >= count)
    return [r["text"] for r in fake.sent(CHAT)]


def stored_files(services: Services) -> list[MessageAttachment]:
    with transaction(services.session_factory) as session:
        rows = session.scalars(select(MessageAttachment).order_by(MessageAttachment.id)).all()
        session.expunge_all()
        return list(rows)


def inbound_texts(services: Services) -> list[str | None]:
    with transaction(services.session_factory) as session:
        return list(
            session.scalars(
                select(Message.text).where(Message.direction == "in").order_by(Message.id)
            )
        )


def test_a_photo_with_a_caption_is_stored_and_its_caption_read_as_the_message(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    photo = photo_sizes(fake_telegram, JPEG)

    assert post(channel_client, update(photo=photo, caption="Hvornår har jeg møde?")) == 200

    texts = replies_to(fake_telegram, 2)
    assert "fået dit billede" in texts[0] or "fået dit billede" in texts[1]
    [stored] = stored_files(channel_services)
    assert (stored.kind, stored.content_type, stored.data, stored.problem) == (
        "photo",
        "image/jpeg",
        JPEG,
        None,
    )
    assert inbound_texts(channel_services) == ["Hvornår har jeg møde?"]
    # The largest size was fetched through getFile and the file server.
    [get_file] = fake_telegram.calls_to("getFile")
    assert get_file.params["file_id"] == photo[1]["file_id"]


def document(
    fake: FakeTelegramApi, data: bytes, mime: str, name: str, **sizes: Any
) -> dict[str, Any]:
    file_id = fake.add_file(data, path=f"documents/{name}", **sizes)
    claimed = {"file_size": len(data)} if not sizes else {}
    return {
        "file_id": file_id,
        "file_unique_id": "d" + name,
        "file_name": name,
        "mime_type": mime,
        **claimed,
    }


def test_a_pdf_is_stored_with_its_name_and_the_citizen_gets_a_receipt(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    pdf = document(fake_telegram, PDF, "application/pdf", "laegeerklaering.pdf")

    assert post(channel_client, update(document=pdf)) == 200

    texts = replies_to(fake_telegram, 1)
    assert any("fået din fil" in text for text in texts)
    [stored] = stored_files(channel_services)
    assert (stored.kind, stored.content_type, stored.filename, stored.data) == (
        "document",
        "application/pdf",
        "laegeerklaering.pdf",
        PDF,
    )


def test_a_voice_message_is_stored_as_audio(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    file_id = fake_telegram.add_file(OGG, path="voice/file_7.oga")
    voice = {
        "file_id": file_id,
        "file_unique_id": "v7",
        "duration": 3,
        "mime_type": "audio/ogg",
        "file_size": len(OGG),
    }

    assert post(channel_client, update(voice=voice)) == 200

    assert any("lydbesked" in text for text in replies_to(fake_telegram, 1))
    [stored] = stored_files(channel_services)
    assert (stored.kind, stored.content_type, stored.data) == ("voice", "audio/ogg", OGG)


def test_a_file_over_the_limit_is_not_fetched_and_the_citizen_is_told(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    big = document(fake_telegram, b"%PDF" + b"0" * 10, "application/pdf", "scan.pdf")
    big["file_size"] = 12_000_000  # over the 10 MB of config.yml

    assert post(channel_client, update(document=big, caption="Min sygemelding")) == 200

    texts = replies_to(fake_telegram, 1)
    assert "for stor" in texts[0]
    assert "10 MB" in texts[0]
    [marker] = stored_files(channel_services)
    assert (marker.problem, marker.data, marker.filename) == ("too_large", None, "scan.pdf")
    assert fake_telegram.calls_to("getFile") == []
    assert inbound_texts(channel_services) == ["Min sygemelding"]


def test_a_file_the_bot_api_calls_too_big_is_refused_as_too_large(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    # No size in the message; getFile answers "Bad Request: file is too big" (over 20 MB).
    huge = document(fake_telegram, PDF, "application/pdf", "huge.pdf", file_size=25_000_000)

    assert post(channel_client, update(document=huge)) == 200

    assert "for stor" in replies_to(fake_telegram, 1)[0]
    assert [f.problem for f in stored_files(channel_services)] == ["too_large"]


def test_a_file_of_a_type_not_allowed_is_refused_with_a_marker(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    archive = document(fake_telegram, b"PK\x03\x04", "application/zip", "papirer.zip")

    assert post(channel_client, update(document=archive)) == 200

    assert "den slags fil" in replies_to(fake_telegram, 1)[0]
    [marker] = stored_files(channel_services)
    assert (marker.problem, marker.content_type, marker.data) == (
        "wrong_type",
        "application/zip",
        None,
    )
    assert fake_telegram.calls_to("getFile") == []


def test_a_failed_download_keeps_the_message_and_tells_the_citizen(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    fake_telegram.fail_file_downloads()
    photo = photo_sizes(fake_telegram, JPEG)

    assert post(channel_client, update(photo=photo, caption="Se mit brev")) == 200

    assert any("ikke hente din fil" in text for text in replies_to(fake_telegram, 1))
    assert [f.problem for f in stored_files(channel_services)] == ["download_failed"]
    assert inbound_texts(channel_services) == ["Se mit brev"]


def add_absence(services: Services, starts_on: date) -> int:
    with transaction(services.session_factory) as session:
        citizen_id = session.scalars(select(Message.citizen_id)).first()
        assert citizen_id is not None
        notice = AbsenceNotice(citizen_id=citizen_id, starts_on=starts_on, reason="own_sickness")
        session.add(notice)
        session.flush()
        return notice.id


def test_a_photo_while_an_absence_notice_is_open_is_attached_to_it_after_a_yes(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    post(channel_client, update(text="Hej"))
    replies_to(fake_telegram, 1)
    today = channel_services.clock.now().date()
    notice_id = add_absence(channel_services, today)
    before = len(fake_telegram.sent(CHAT))

    post(channel_client, update(photo=photo_sizes(fake_telegram, JPEG), caption="lægeerklæring"))
    texts = replies_to(fake_telegram, before + 2)[before:]
    assert "Hører det til din besked om fravær" in texts[1]
    [stored] = stored_files(channel_services)
    assert stored.absence_notice_id is None  # not before the citizen says so

    post(channel_client, update(text="ja"))
    assert "lagt det ved" in replies_to(fake_telegram, before + 3)[-1]
    [stored] = stored_files(channel_services)
    assert stored.absence_notice_id == notice_id
    with transaction(channel_services.session_factory) as session:
        assert len(session.scalars(select(AbsenceNotice)).all()) == 1


def mms_params(body: str, media: list[tuple[str, str]]) -> dict[str, str]:
    params = sms_params(body)
    params["NumMedia"] = str(len(media))
    for index, (url, content_type) in enumerate(media):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    return params


def test_an_mms_with_two_media_is_fetched_with_basic_auth_through_the_redirect(
    channel_client: TestClient, channel_services: Services, fake_twilio: FakeTwilioApi
) -> None:
    photo = fake_twilio.add_media(JPEG, "image/jpeg")
    pdf = fake_twilio.add_media(PDF, "application/pdf")

    replies = post_sms(
        channel_client, mms_params("", [(photo, "image/jpeg"), (pdf, "application/pdf")])
    )

    assert any("fået dine filer" in reply for reply in replies)
    stored = stored_files(channel_services)
    assert [(f.kind, f.content_type, f.data) for f in stored] == [
        ("media", "image/jpeg", JPEG),
        ("media", "application/pdf", PDF),
    ]
    media_calls = [c for c in fake_twilio.calls if "/Media/" in c.path]
    assert len(media_calls) == 2
    assert all(c.headers["authorization"].startswith("Basic ") for c in media_calls)
    assert len([c for c in fake_twilio.calls if c.path.startswith("/media-store/")]) == 2


def test_a_sick_note_by_mms_records_no_absence_and_asks_first(
    channel_client: TestClient, channel_services: Services, fake_twilio: FakeTwilioApi
) -> None:
    pdf = fake_twilio.add_media(PDF, "application/pdf")

    replies = post_sms(
        channel_client, mms_params("her er min lægeerklæring", [(pdf, "application/pdf")])
    )

    assert any("fået din fil" in reply for reply in replies)
    assert any("Vil du give besked om fravær?" in reply for reply in replies)
    assert not any("syg fra" in reply for reply in replies)  # no absence proposed for today
    with transaction(channel_services.session_factory) as session:
        assert session.scalars(select(AbsenceNotice)).all() == []
    assert [f.data for f in stored_files(channel_services)] == [PDF]


def test_mms_media_outside_the_twilio_account_is_never_fetched(
    channel_client: TestClient, channel_services: Services, fake_twilio: FakeTwilioApi
) -> None:
    elsewhere = "http://127.0.0.1:9/evil.jpg"

    replies = post_sms(channel_client, mms_params("Se her", [(elsewhere, "image/jpeg")]))

    assert any("ikke hente din fil" in reply for reply in replies)
    assert [f.problem for f in stored_files(channel_services)] == ["download_failed"]
    assert inbound_texts(channel_services) == ["Se her"]


def test_mms_media_deleted_at_twilio_is_a_marker_and_the_text_is_kept(
    channel_client: TestClient, channel_services: Services, fake_twilio: FakeTwilioApi
) -> None:
    gone = (
        fake_twilio.url + f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages/MM1/Media/ME1"
    )

    replies = post_sms(channel_client, mms_params("Mit brev", [(gone, "image/png")]))

    assert any("ikke hente din fil" in reply for reply in replies)
    assert [f.problem for f in stored_files(channel_services)] == ["download_failed"]


def test_a_slow_download_does_not_hold_up_another_citizens_message(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    fake_telegram.files.delay_seconds = 3.0
    photo = photo_sizes(fake_telegram, JPEG)
    slow = threading.Thread(target=post, args=(channel_client, update(photo=photo)))
    slow.start()
    wait_until(lambda: fake_telegram.calls_to("getFile"))  # its download is under way

    other = CHAT + 1
    assert post(channel_client, update(other, text="Hej")) == 200
    wait_until(lambda: fake_telegram.sent(other))

    assert slow.is_alive()  # answered while the photo was still downloading
    slow.join(timeout=10)
    assert any("fået dit billede" in text for text in replies_to(fake_telegram, 1))


def test_a_cpr_number_in_a_caption_is_removed_like_in_any_text(
    channel_client: TestClient, channel_services: Services, fake_telegram: FakeTelegramApi
) -> None:
    photo = photo_sizes(fake_telegram, JPEG)

    assert post(channel_client, update(photo=photo, caption="Mit cpr er 010190-1234")) == 200

    replies_to(fake_telegram, 2)
    [text] = inbound_texts(channel_services)
    assert text is not None
    assert "010190" not in text
    assert "[CPR fjernet]" in text
