"""A citizen's data rights and the retention rules: export, delete, purge what is past its period.

Deletion removes the person and everything about them; bookings stay, detached from the person,
with only what statistics need (time, consultant, location, status, reminder policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from bot.domain.attachments import delete_attachments, export_attachments, purge_attachments
from bot.domain.booking_events import BookingListeners
from bot.kernel.errors import CitizenNotFound
from bot.runtime.privacy_settings import RetentionSettings
from bot.store.db import note_erased_text
from bot.store.models import (
    ACTIVE_BOOKING_STATUSES,
    AbsenceNotice,
    Booking,
    BookingStatus,
    ChannelIdentity,
    Citizen,
    CitizenContact,
    Conversation,
    ConversationStatus,
    JobProfile,
    Message,
    SatisfactionAnswer,
)
from bot.store.models.inbox import AuditEntry, InternalNote, QueueWait


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_citizen(session: Session, citizen_id: int) -> dict[str, Any]:
    """Everything stored about one citizen, as JSON-ready data (the right of access)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise CitizenNotFound(citizen_id)
    identities = session.scalars(
        select(ChannelIdentity).where(ChannelIdentity.citizen_id == citizen_id)
    ).all()
    conversations = session.scalars(
        select(Conversation).where(Conversation.citizen_id == citizen_id).order_by(Conversation.id)
    ).all()
    messages = session.scalars(
        select(Message).where(Message.citizen_id == citizen_id).order_by(Message.id)
    ).all()
    bookings = session.scalars(
        select(Booking).where(Booking.citizen_id == citizen_id).order_by(Booking.starts_at)
    ).all()
    notices = session.scalars(
        select(AbsenceNotice).where(AbsenceNotice.citizen_id == citizen_id)
    ).all()
    profile = session.scalars(select(JobProfile).where(JobProfile.citizen_id == citizen_id)).first()
    notes = session.scalars(
        select(InternalNote)
        .join(Conversation, Conversation.id == InternalNote.conversation_id)
        .where(Conversation.citizen_id == citizen_id)
        .order_by(InternalNote.id)
    ).all()
    contact = session.scalars(
        select(CitizenContact).where(CitizenContact.citizen_id == citizen_id)
    ).first()
    return {
        "citizen": {
            "id": citizen.id,
            "display_name": citizen.display_name,
            "phone": citizen.phone,
            "language": citizen.language,
            "reminders_opted_out": citizen.reminders_opted_out,
            "sms_opted_out": citizen.sms_opted_out,
            "created_at": _iso(citizen.created_at),
            "last_seen_at": _iso(citizen.last_seen_at),
        },
        # Recorded by a consultant with the citizen's consent (who and when is the consent).
        "contact": None
        if contact is None
        else {
            "name": contact.name,
            "phone": contact.phone,
            "consent_statement": contact.consent_statement,
            "consent_by_consultant_id": contact.consent_by_id,
            "consent_at": _iso(contact.consent_at),
        },
        "channel_identities": [
            {"channel": i.channel, "address": i.address, "created_at": _iso(i.created_at)}
            for i in identities
        ],
        "conversations": [
            {
                "id": c.id,
                "status": c.status,
                "created_at": _iso(c.created_at),
                "handoff_reason": c.handoff_reason,
                "handoff_summary": c.handoff_summary,
            }
            for c in conversations
        ],
        "messages": [
            {
                "conversation_id": m.conversation_id,
                "direction": m.direction,
                "sender": m.sender,
                "channel": m.channel,
                "text": m.text,
                "status": m.status,
                "created_at": _iso(m.created_at),
            }
            for m in messages
        ],
        "bookings": [
            {
                "starts_at": _iso(b.starts_at),
                "ends_at": _iso(b.ends_at),
                "status": b.status,
                "location_id": b.location_id,
                "consultant_id": b.consultant_id,
            }
            for b in bookings
        ],
        "absence_notices": [
            {
                "reported_at": _iso(n.reported_at),
                "starts_on": n.starts_on.isoformat(),
                "ends_on": n.ends_on.isoformat() if n.ends_on else None,
                "reason": n.reason,
                "activity": n.activity,
                "note": n.note,
            }
            for n in notices
        ],
        # Consultants' internal notes are data about the citizen too (right of access).
        "internal_notes": [
            {"conversation_id": n.conversation_id, "text": n.text, "created_at": _iso(n.created_at)}
            for n in notes
        ],
        "job_profile": None
        if profile is None
        else {
            "kinds_of_work": profile.kinds_of_work,
            "hours_per_week": profile.hours_per_week,
            "days": profile.days,
            "cannot_do": profile.cannot_do,
        },
        "attachments": export_attachments(session, citizen_id),
    }


def erase_citizen_data(
    session: Session,
    citizen: Citizen,
    now: datetime,
    listeners: BookingListeners,
    *,
    keep_conversation_id: int | None = None,
    keep_message_id: int | None = None,
) -> None:
    """Delete what a citizen told us; their bookings stay, anonymous, for statistics.

    Future meetings are cancelled (through the booking listeners, so their reminders go too).
    The privacy flow keeps the current conversation and the confirming message, so the chat
    can go on; staff deletion keeps nothing.
    """
    note_erased_text(session)
    future = session.scalars(
        select(Booking).where(
            Booking.citizen_id == citizen.id,
            Booking.status.in_(ACTIVE_BOOKING_STATUSES),
            Booking.starts_at > now,
        )
    ).all()
    for booking in future:
        booking.status = BookingStatus.CANCELLED.value
        booking.cancelled_at = now
        session.flush()
        listeners.changed(session, booking, now)
    session.execute(
        update(Booking)
        .where(Booking.citizen_id == citizen.id)
        .values(citizen_id=None, cancel_reason=None)
    )
    # Explicit deletes in dependency order: the same result on SQLite and PostgreSQL without
    # relying on each foreign key's ON DELETE.
    delete_attachments(session, citizen.id)
    messages = delete(Message).where(Message.citizen_id == citizen.id)
    if keep_message_id is not None:
        messages = messages.where(Message.id != keep_message_id)
    session.execute(messages)
    session.execute(delete(AbsenceNotice).where(AbsenceNotice.citizen_id == citizen.id))
    session.execute(delete(JobProfile).where(JobProfile.citizen_id == citizen.id))
    # The name and phone recorded with consent go; a satisfaction answer stays, unlinked.
    session.execute(delete(CitizenContact).where(CitizenContact.citizen_id == citizen.id))
    session.execute(
        update(SatisfactionAnswer)
        .where(SatisfactionAnswer.citizen_id == citizen.id)
        .values(citizen_id=None)
    )
    conversation_ids = select(Conversation.id).where(Conversation.citizen_id == citizen.id)
    session.execute(delete(InternalNote).where(InternalNote.conversation_id.in_(conversation_ids)))
    conversations = delete(Conversation).where(Conversation.citizen_id == citizen.id)
    if keep_conversation_id is not None:
        conversations = conversations.where(Conversation.id != keep_conversation_id)
    session.execute(conversations)
    citizen.display_name = None
    session.flush()


def delete_citizen(
    session: Session, citizen_id: int, now: datetime, listeners: BookingListeners
) -> None:
    """Delete a citizen and everything about them (staff, on request)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise CitizenNotFound(citizen_id)
    erase_citizen_data(session, citizen, now, listeners)
    session.execute(delete(ChannelIdentity).where(ChannelIdentity.citizen_id == citizen_id))
    session.execute(delete(Citizen).where(Citizen.id == citizen_id))
    session.expire_all()


@dataclass(frozen=True, slots=True)
class PurgeReport:
    message_texts: int
    summaries: int
    absence_notes: int
    internal_notes: int
    bookings_detached: int
    queue_waits: int = 0
    flow_notes: int = 0
    absence_notices: int = 0
    job_profiles: int = 0
    citizens: int = 0
    audit_entries: int = 0
    attachments: int = 0


def purge_expired(
    session: Session,
    now: datetime,
    retention: RetentionSettings,
    listeners: BookingListeners | None = None,
) -> PurgeReport:
    """Apply the retention rules (config ``privacy.retention``): each kind of data older than
    its period is deleted. The privacy notice states these periods, so this is what it promises.

    ``listeners`` hear of future meetings cancelled when an inactive citizen is deleted.
    """
    note_erased_text(session)
    inactive = _delete_inactive_citizens(
        session, now, now - timedelta(days=retention.inactive_citizens), listeners
    )
    cutoff = now - timedelta(days=retention.messages)
    texts = session.execute(
        update(Message)
        .where(Message.created_at < cutoff, Message.text.is_not(None))
        .values(text=None, choices=[])
    )
    summaries = session.execute(
        update(Conversation)
        .where(
            Conversation.status == ConversationStatus.CLOSED.value,
            Conversation.updated_at < cutoff,
            Conversation.handoff_summary.is_not(None),
        )
        .values(handoff_summary=None)
    )
    # What the dialogue noted (benefit, absence, job wishes told) in a conversation gone quiet.
    quiet = select(Conversation.id, Conversation.flow_state).where(
        Conversation.updated_at < cutoff, Conversation.status != ConversationStatus.WAITING.value
    )
    noted = [row.id for row in session.execute(quiet) if row.flow_state]
    if noted:
        # The conversation's own time stays: clearing its notes is not activity.
        session.execute(
            update(Conversation)
            .where(Conversation.id.in_(noted))
            .values(flow_state={}, updated_at=Conversation.updated_at)
        )
    flow_notes = len(noted)
    notes = session.execute(
        update(AbsenceNotice)
        .where(AbsenceNotice.reported_at < cutoff, AbsenceNotice.note.is_not(None))
        .values(note=None)
    )
    internal_notes = session.execute(delete(InternalNote).where(InternalNote.created_at < cutoff))
    # Queue waits name no citizen, but nothing is kept past the retention period without need:
    # the expected wait reads only the last 14 days.
    queue_waits = session.execute(delete(QueueWait).where(QueueWait.taken_at < cutoff))
    notices = session.execute(
        delete(AbsenceNotice).where(
            AbsenceNotice.reported_at < now - timedelta(days=retention.absence_notices)
        )
    )
    profiles = session.execute(
        delete(JobProfile).where(
            JobProfile.updated_at < now - timedelta(days=retention.job_profiles)
        )
    )
    bookings = session.execute(
        update(Booking)
        .where(
            Booking.ends_at < now - timedelta(days=retention.bookings),
            Booking.citizen_id.is_not(None),
        )
        .values(citizen_id=None, cancel_reason=None)
    )
    audit = session.execute(
        delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=retention.audit_log))
    )
    files = purge_attachments(session, now, retention.attachments)
    return PurgeReport(
        message_texts=_rowcount(texts),
        summaries=_rowcount(summaries),
        absence_notes=_rowcount(notes),
        internal_notes=_rowcount(internal_notes),
        bookings_detached=_rowcount(bookings),
        queue_waits=_rowcount(queue_waits),
        flow_notes=flow_notes,
        absence_notices=_rowcount(notices),
        job_profiles=_rowcount(profiles),
        citizens=inactive,
        audit_entries=_rowcount(audit),
        attachments=files,
    )


def _delete_inactive_citizens(
    session: Session, now: datetime, seen_before: datetime, listeners: BookingListeners | None
) -> int:
    # A citizen with a meeting still ahead is not inactive, however long since they wrote.
    meeting_ahead = exists().where(
        Booking.citizen_id == Citizen.id,
        Booking.status.in_(ACTIVE_BOOKING_STATUSES),
        Booking.ends_at > now,
    )
    ids = session.scalars(
        select(Citizen.id).where(Citizen.last_seen_at < seen_before, ~meeting_ahead)
    ).all()
    for citizen_id in ids:
        delete_citizen(session, citizen_id, now, listeners or BookingListeners())
    return len(ids)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
