"""foundation: citizens, conversations, messages, teams, consultants

Revision ID: 0001_foundation
Revises: (none)
Create Date: 2026-11-23 13:36:59.155293
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "consultants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('consultant', 'admin')", name=op.f("ck_consultants_role")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_consultants_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultants")),
        sa.UniqueConstraint("username", name=op.f("uq_consultants_username")),
    )
    op.create_table(
        "citizens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("contact_consultant_id", sa.Integer(), nullable=True),
        sa.Column("last_channel", sa.String(length=20), nullable=True),
        sa.Column("reminders_opted_out", sa.Boolean(), nullable=False),
        sa.Column("sms_opted_out", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_consultant_id"],
            ["consultants.id"],
            name=op.f("fk_citizens_contact_consultant_id_consultants"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_citizens_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("phone", name=op.f("uq_citizens_phone")),
    )
    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_channel_identities_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_identities")),
        sa.UniqueConstraint(
            "channel", "address", name=op.f("uq_channel_identities_channel_address")
        ),
    )
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_identities_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("flow_state", bot.store.models.base.JsonType, nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("handoff_reason", sa.String(length=40), nullable=True),
        sa.Column("handoff_summary", bot.store.models.base.JsonType, nullable=True),
        sa.Column("waiting_since", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("assigned_consultant_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('bot', 'waiting', 'consultant', 'closed')",
            name=op.f("ck_conversations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_consultant_id"],
            ["consultants.id"],
            name=op.f("fk_conversations_assigned_consultant_id_consultants"),
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_conversations_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            "ix_conversations_status_priority",
            ["status", "priority", "waiting_since"],
            unique=False,
        )

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("sender", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("channel_message_id", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("choices", bot.store.models.base.JsonType, nullable=False),
        sa.Column("intent", sa.String(length=40), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("in_reply_to_id", sa.Integer(), nullable=True),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("claimed_until", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f("ck_messages_direction")),
        sa.CheckConstraint(
            "status IN ('received', 'queued', 'sending', 'sent', 'delivered', 'failed')",
            name=op.f("ck_messages_status"),
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_messages_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_messages_consultant_id_consultants"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to_id"],
            ["messages.id"],
            name=op.f("fk_messages_in_reply_to_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "direction",
            "channel",
            "channel_message_id",
            name=op.f("uq_messages_direction_channel_channel_message_id"),
        ),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_conversation_created", ["conversation_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_messages_in_reply_to_id"), ["in_reply_to_id"], unique=False
        )
        batch_op.create_index("ix_messages_outbox", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_outbox")
        batch_op.drop_index(batch_op.f("ix_messages_in_reply_to_id"))
        batch_op.drop_index("ix_messages_conversation_created")

    op.drop_table("messages")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_status_priority")
        batch_op.drop_index(batch_op.f("ix_conversations_citizen_id"))

    op.drop_table("conversations")
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_identities_citizen_id"))

    op.drop_table("channel_identities")
    op.drop_table("citizens")
    op.drop_table("consultants")
    op.drop_table("teams")
