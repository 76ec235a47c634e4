"""Settings the citizen is told about: who is responsible for their data and how long each kind
is kept (``privacy``), and the jobcenter's own rules the bot states (``jobcenter``)."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field

from bot.runtime.section import Section


class RetentionSettings(Section):
    """Days each kind of data is kept; the daily purge deletes what is older, and the privacy
    notice states exactly these figures."""

    # Message text, handoff summaries, the dialogue's notes and consultants' internal notes.
    messages: int = Field(default=180, ge=1)
    # Absence notices, counted from when they were reported.
    absence_notices: int = Field(default=365, ge=1)
    # Job wishes, counted from their last change.
    job_profiles: int = Field(default=365, ge=1)
    # Bookings, counted from the meeting: then detached from the citizen (kept for statistics).
    bookings: int = Field(default=180, ge=1)
    # A citizen who has not written for this long is deleted with everything about them.
    inactive_citizens: int = Field(default=730, ge=1)
    # The inbox's audit log (who saw or changed what).
    audit_log: int = Field(default=730, ge=1)
    # Files citizens sent (photos, PDFs, voice messages), counted from when they arrived.
    attachments: int = Field(default=180, ge=1)


class PrivacySettings(Section):
    # Local time of the daily retention purge.
    purge_at: time = time(3, 30)
    retention: RetentionSettings = RetentionSettings()
    # The data controller and the data protection officer, named in the privacy notice.
    controller: str = "Demo Kommune, Jobcenter Demo (demo)"
    controller_address: str = "Rådhuspladsen 1, 9999 Demoby (demo)"
    controller_email: str = "jobcenter@demo-kommune.example"
    controller_phone: str = "70 10 20 30"
    dpo_email: str = "dpo@demo-kommune.example"
    dpo_phone: str = "70 10 20 31"


class JobcenterSettings(Section):
    """The jobcenter's own rules the bot states to citizens."""

    # How sick notices are given: "chat" (a notice in the chat is enough) or "phone" (the
    # citizen must also phone sick_phone before sick_phone_before on the day).
    sick_notice: Literal["chat", "phone"] = "chat"
    sick_phone: str = "70 10 20 30"
    sick_phone_before: time = time(9, 0)
