"""The files of a Telegram message (photo, document, voice, video, audio), fetched through
python-telegram-bot's ``get_file`` and ``download_as_bytearray`` against ``base_file_url``.

The fetch is asynchronous (PTB's HTTP client), so it never blocks the event loop. A file over
the size limit or of a type not allowed is not fetched at all; one that fails to arrive becomes
a marker. Either way the message itself goes on to the pipeline with its caption.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Bot
from telegram import Message as TelegramMessage
from telegram.error import BadRequest, TelegramError

from bot.kernel.messages import Attachment, AttachmentProblem
from bot.runtime.attachment_settings import AttachmentSettings

log = logging.getLogger(__name__)

# The kinds a message may carry a file as; other content (stickers, locations) is not a file.
FILE_KINDS = ("photo", "document", "voice", "video", "audio")


@dataclass(frozen=True, slots=True)
class _Wanted:
    kind: str
    file_id: str
    content_type: str
    declared_size: int | None
    filename: str | None


def has_file(message: TelegramMessage) -> bool:
    return any(getattr(message, kind, None) for kind in FILE_KINDS)


class TelegramFiles:
    """Fetches a message's files within ``settings``' size limit and type allow-list."""

    def __init__(self, settings: AttachmentSettings) -> None:
        self.settings = settings

    async def fetch(
        self, bot: Bot, message: TelegramMessage, *, reachable: bool = True
    ) -> tuple[Attachment, ...]:
        """The message's files; ``reachable`` False (the Bot API is down): markers only."""
        wanted = _wanted(message, self.settings.max_bytes)
        return tuple([await self._fetch_one(bot, item, reachable) for item in wanted])

    async def _fetch_one(self, bot: Bot, wanted: _Wanted, reachable: bool) -> Attachment:
        def marker(problem: AttachmentProblem) -> Attachment:
            return Attachment(
                wanted.kind, wanted.content_type, filename=wanted.filename, problem=problem
            )

        if not self.settings.allows(wanted.content_type):
            return marker(AttachmentProblem.WRONG_TYPE)
        limit = self.settings.max_bytes
        if wanted.declared_size is not None and wanted.declared_size > limit:
            return marker(AttachmentProblem.TOO_LARGE)
        if not reachable:
            return marker(AttachmentProblem.DOWNLOAD_FAILED)
        try:
            async with asyncio.timeout(self.settings.download_timeout_seconds):
                file = await bot.get_file(wanted.file_id)
                if file.file_size is not None and file.file_size > limit:
                    return marker(AttachmentProblem.TOO_LARGE)
                data = bytes(await file.download_as_bytearray())
        except BadRequest as exc:
            # The Bot API serves files up to 20 MB: "Bad Request: file is too big".
            if "too big" in exc.message.lower():
                return marker(AttachmentProblem.TOO_LARGE)
            log.warning("Telegram file %s refused: %s", wanted.kind, exc.message)
            return marker(AttachmentProblem.DOWNLOAD_FAILED)
        except (TelegramError, TimeoutError) as exc:
            log.warning("Telegram file %s not fetched: %s", wanted.kind, type(exc).__name__)
            return marker(AttachmentProblem.DOWNLOAD_FAILED)
        if len(data) > limit:
            return marker(AttachmentProblem.TOO_LARGE)
        return Attachment(wanted.kind, wanted.content_type, data=data, filename=wanted.filename)


def _wanted(message: TelegramMessage, max_bytes: int) -> list[_Wanted]:
    found: list[_Wanted] = []
    if message.photo:
        # Telegram sends each photo in several sizes: the largest that fits, else the smallest
        # (which is then refused as too large).
        sizes = sorted(message.photo, key=lambda p: p.file_size or p.width * p.height)
        fitting = [p for p in sizes if (p.file_size or 0) <= max_bytes]
        photo = fitting[-1] if fitting else sizes[0]
        found.append(_Wanted("photo", photo.file_id, "image/jpeg", photo.file_size, None))
    if message.document is not None:
        d = message.document
        content_type = d.mime_type or "application/octet-stream"
        found.append(_Wanted("document", d.file_id, content_type, d.file_size, d.file_name))
    if message.voice is not None:
        v = message.voice
        found.append(_Wanted("voice", v.file_id, v.mime_type or "audio/ogg", v.file_size, None))
    if message.video is not None:
        video = message.video
        content_type = video.mime_type or "video/mp4"
        found.append(
            _Wanted("video", video.file_id, content_type, video.file_size, video.file_name)
        )
    if message.audio is not None:
        a = message.audio
        content_type = a.mime_type or "audio/mpeg"
        found.append(_Wanted("audio", a.file_id, content_type, a.file_size, a.file_name))
    return found
