"""The media of an MMS (``NumMedia``, ``MediaUrlN``, ``MediaContentTypeN``), fetched from Twilio.

Each media URL is fetched with the account's credentials (HTTP basic auth, which Twilio asks
for when "HTTP Basic Authentication for media access" is on) and Twilio's redirect to its media
store is followed; httpx drops the credentials when the redirect leaves Twilio's host. Only URLs
under this account on the configured Twilio API are fetched, so a webhook can never make the
server send its credentials, or a request, anywhere else. The fetch is asynchronous and stops
reading past the size limit.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping

import certifi
import httpx

from bot.kernel.messages import Attachment, AttachmentProblem
from bot.runtime.attachment_settings import AttachmentSettings

log = logging.getLogger(__name__)

# Twilio sends at most 10 media per message.
MAX_MEDIA = 10


def media_count(raw: str | None) -> int:
    """Twilio's ``NumMedia``; a value that is no number counts as none (never a 500)."""
    try:
        return max(0, min(int(raw or 0), MAX_MEDIA))
    except ValueError:
        return 0


class TwilioMedia:
    def __init__(
        self, settings: AttachmentSettings, base_url: str, account_sid: str, auth_token: str
    ) -> None:
        self.settings = settings
        self._prefix = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/"
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        # Made once: loading the CA bundle for every MMS held the event loop about 50 ms.
        self._tls = ssl.create_default_context(cafile=certifi.where())

    async def fetch(self, params: Mapping[str, str]) -> tuple[Attachment, ...]:
        count = media_count(params.get("NumMedia"))
        if count == 0:
            return ()
        timeout = httpx.Timeout(self.settings.download_timeout_seconds)
        async with httpx.AsyncClient(
            auth=self._auth, follow_redirects=True, timeout=timeout, verify=self._tls
        ) as client:
            # At once: Twilio waits at most 15 s for the webhook's answer.
            fetched = await asyncio.gather(
                *(
                    self._fetch_one(
                        client,
                        params.get(f"MediaUrl{index}", ""),
                        params.get(f"MediaContentType{index}", "application/octet-stream"),
                    )
                    for index in range(count)
                )
            )
        return tuple(fetched)

    async def _fetch_one(self, client: httpx.AsyncClient, url: str, declared: str) -> Attachment:
        content_type = declared.split(";")[0].strip().lower()[:100] or "application/octet-stream"

        def marker(problem: AttachmentProblem) -> Attachment:
            return Attachment("media", content_type, problem=problem)

        if not self.settings.allows(content_type):
            return marker(AttachmentProblem.WRONG_TYPE)
        if not url.startswith(self._prefix):
            log.warning("MMS media URL outside the Twilio account refused")
            return marker(AttachmentProblem.DOWNLOAD_FAILED)
        limit = self.settings.max_bytes
        try:
            async with client.stream("GET", url) as response:
                if response.status_code != 200:
                    log.warning("MMS media not fetched: HTTP %s", response.status_code)
                    return marker(AttachmentProblem.DOWNLOAD_FAILED)
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > limit:
                    return marker(AttachmentProblem.TOO_LARGE)
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data.extend(chunk)
                    if len(data) > limit:
                        return marker(AttachmentProblem.TOO_LARGE)
        except httpx.HTTPError as exc:
            log.warning("MMS media not fetched: %s", type(exc).__name__)
            return marker(AttachmentProblem.DOWNLOAD_FAILED)
        return Attachment("media", content_type, data=bytes(data))
