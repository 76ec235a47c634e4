"""Citizens, their channel identities, conversations and messages; teams and consultants.

The ``messages`` table is also the outbox: an outbound row starts ``queued`` and a sender
claims it, delivers it and records the outcome (see ``integrations/outbox/``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.kernel.messages import Channel, OutboundMessage
from bot.store.models.base import Base, JsonType, UtcDateTime, utcnow

if TYPE_CHECKING:
    from bot.store.models.citizen_care import CitizenContact


class ConversationStatus(StrEnum):
    BOT = "bot"
    WAITING = "waiting"
    CONSULTANT = "consultant"
    CLOSED = "closed"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Sender(StrEnum):
    CITIZEN = "citizen"
    BOT = "bot"
    CONSULTANT = "consultant"
    SYSTEM = "system"


class MessageStatus(StrEnum):
    RECEIVED = "received"  # inbound, stored
    QUEUED = "queued"  # outbound, waiting in the outbox
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"  # accepted by the transport
    DELIVERED = "delivered"  # the transport reports delivery (web chat: fetched or answered)
    FAILED = "failed"  # gave up; shown in the inbox


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    consultants: Mapped[list[Consultant]] = relationship(back_populates="team")


class Consultant(Base):
    __tablename__ = "consultants"
    __table_args__ = (CheckConstraint("role IN ('consultant', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="consultant")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sees every team's citizens, conversations and audit log (a municipality's DPO or IT);
    # changes stay within the own team. Set only by `borgerchat consultant set-system-admin`.
    system_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="consultants")


class Citizen(Base):
    """One person, however many channels they write from."""

    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    # E.164, set when the citizen writes by SMS or shares it on Telegram.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="da")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    contact_consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    # Proactive messages go to the channel the citizen last used.
    last_channel: Mapped[str | None] = mapped_column(String(20))
    reminders_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # Twilio-style STOP: no SMS at all until START.
    sms_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # What a provider said about reaching the citizen (bot/domain/reachability.py): the bot was
    # blocked on Telegram; Twilio's error code when SMS cannot reach the number (30004-30006).
    telegram_blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sms_unreachable: Mapped[str | None] = mapped_column(String(10))
    # A number the citizen typed for a phone callback (not verified: never links identities).
    callback_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="citizen", cascade="all, delete-orphan"
    )
    # The name and phone a consultant recorded with consent (bot/store/models/citizen_care.py).
    contact: Mapped[CitizenContact | None] = relationship(
        "CitizenContact", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )


class ChannelIdentity(Base):
    """How one citizen is reached on one channel: web session, Telegram chat id, phone."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    citizen: Mapped[Citizen] = relationship(back_populates="identities")


class Conversation(Base):
    """A citizen's current exchange; its ``status`` says who answers (Chatwoot's model)."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(ConversationStatus)})", name="status"),
        Index("ix_conversations_status_priority", "status", "priority", "waiting_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ConversationStatus.BOT.value)
    # The dialogue flow's state, owned by flows/ and opaque to the core.
    flow_state: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    language: Mapped[str] = mapped_column(String(5), default="da")
    # Higher comes first in the consultant queue; crisis handoffs are the highest.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    handoff_reason: Mapped[str | None] = mapped_column(String(40))
    handoff_summary: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    waiting_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assigned_consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The flood limit's window: when the current minute of inbound messages began, and how many
    # came in it (kept on the row the pipeline locks anyway, instead of a count per message).
    inbound_window_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    inbound_in_window: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    citizen: Mapped[Citizen] = relationship()


class Message(Base):
    """Every message in either direction; outbound rows are the outbox."""

    __tablename__ = "messages"
    __table_args__ = (
        # Redelivery of the same transport message is recognised by this key.
        UniqueConstraint("direction", "channel", "channel_message_id"),
        CheckConstraint(f"direction IN ({_values(Direction)})", name="direction"),
        CheckConstraint(f"status IN ({_values(MessageStatus)})", name="status"),
        Index("ix_messages_outbox", "status", "next_attempt_at"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        # A citizen's messages (reminder answers, export, erase) and an address's latest
        # messages (numbered SMS choices, the web chat's poll) without a scan of the table.
        Index("ix_messages_citizen", "citizen_id", "id"),
        Index("ix_messages_address", "channel", "address", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    sender: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    # Where an outbound message goes (chat id, phone, web session); where an inbound came from.
    address: Mapped[str] = mapped_column(String(255))
    # The transport's id: Telegram update_id / message_id, Twilio MessageSid, web client id.
    channel_message_id: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JsonType, default=list)
    intent: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column(Float)
    # The inbound message an outbound one answers: redeliveries are answered with these.
    in_reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The sender process holding a ``sending`` row ("host:pid:token"): a dead one's rows are
    # settled at once rather than after ``claimed_until``.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # Retrying ends here (set at the first attempt; "send again" in the inbox clears it).
    give_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # An inbound message the citizen edited afterwards (Telegram's edited_message): a new row.
    edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def as_outbound(self) -> OutboundMessage:
        """This row as the neutral message a transport delivers."""
        return OutboundMessage(
            id=self.id,
            channel=Channel(self.channel),
            address=self.address,
            text=self.text or "",
            choices=tuple(self.choices or ()),
            citizen_id=self.citizen_id,
        )
