"""What the bot states to citizens from config: the privacy notice's facts (GDPR art. 13), so the
chat's reply and the full page say exactly who is responsible and what the retention purge does,
the jobcenter's own rule for sick notices, and the crisis help lines."""

from __future__ import annotations

from bot.runtime.config import Settings
from bot.runtime.crisis_settings import HelpLineSettings
from flows.types import HelpLine, PrivacyFacts, SickNoticeRule

NOTICE_PATH = "/privacy"


def privacy_facts(settings: Settings) -> PrivacyFacts:
    """What the chat's privacy reply states."""
    privacy = settings.privacy
    retention = privacy.retention
    return PrivacyFacts(
        controller=privacy.controller,
        dpo_email=privacy.dpo_email,
        notice_url=f"{settings.server.public_url}{NOTICE_PATH}",
        messages_days=retention.messages,
        absence_notices_days=retention.absence_notices,
        job_profiles_days=retention.job_profiles,
        bookings_days=retention.bookings,
        inactive_citizens_days=retention.inactive_citizens,
    )


def notice_params(settings: Settings) -> dict[str, str]:
    """The ``{placeholders}`` of the full notice (``privacy_web.notice`` in the content)."""
    privacy = settings.privacy
    retention = privacy.retention
    return {
        "controller": privacy.controller,
        "controller_address": privacy.controller_address,
        "controller_email": privacy.controller_email,
        "controller_phone": privacy.controller_phone,
        "dpo_email": privacy.dpo_email,
        "dpo_phone": privacy.dpo_phone,
        "messages": str(retention.messages),
        "absence_notices": str(retention.absence_notices),
        "job_profiles": str(retention.job_profiles),
        "bookings": str(retention.bookings),
        "inactive_citizens": str(retention.inactive_citizens),
        "audit_log": str(retention.audit_log),
        "attachments": str(retention.attachments),
    }


def sick_notice_rule(settings: Settings) -> SickNoticeRule:
    """The jobcenter's rule for sick notices (config ``jobcenter``), as a flow states it."""
    jobcenter = settings.jobcenter
    if jobcenter.sick_notice == "chat":
        return SickNoticeRule()
    return SickNoticeRule(phone=jobcenter.sick_phone, phone_before=jobcenter.sick_phone_before)


def help_line(settings: HelpLineSettings) -> HelpLine:
    """A configured help line as the flows read it."""
    return HelpLine(
        name=settings.name,
        phone=settings.phone,
        opens=settings.opens,
        closes=settings.closes,
        source=settings.source,
    )
