"""Settings for files citizens send (config ``chat.attachments``): how large, which types."""

from __future__ import annotations

from pydantic import Field

from bot.runtime.section import Section

# Images a browser shows without running anything (no SVG: it may carry scripts), PDF, and the
# audio formats Telegram voice messages and MMS use.
DEFAULT_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "audio/amr",
    "audio/wav",
)


class AttachmentSettings(Section):
    # A larger file is not fetched; the citizen is told and the transcript shows a marker.
    max_bytes: int = Field(default=10_000_000, ge=1)
    # Content types kept; anything else is refused the same way.
    allowed_types: list[str] = Field(default_factory=lambda: list(DEFAULT_TYPES))
    # How long a fetch may wait for the provider (Twilio waits 15 s for the webhook answer).
    download_timeout_seconds: float = Field(default=10, gt=0)

    def allows(self, content_type: str) -> bool:
        return content_type.split(";")[0].strip().lower() in self.allowed_types
