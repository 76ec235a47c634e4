"""inbox: login sessions, notes, canned replies, audit log

Revision ID: 0004_inbox
Revises: 0002_scheduling
Create Date: 2026-11-23 13:53:14.265560
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0004_inbox"
down_revision = "0002_scheduling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_login_failures")),
    )
    with op.batch_alter_table("inbox_login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_login_failures_client_at", ["client", "at"], unique=False)
        batch_op.create_index(
            "ix_inbox_login_failures_username_at", ["username", "at"], unique=False
        )

    op.create_table(
        "inbox_canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_inbox_canned_replies_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_canned_replies")),
    )
    with op.batch_alter_table("inbox_canned_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_canned_replies_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "inbox_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("detail", bot.store.models.base.JsonType, nullable=False),
        sa.Column("at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_inbox_audit_log_consultant_id_consultants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_audit_log")),
    )
    with op.batch_alter_table("inbox_audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_inbox_audit_log_citizen", ["citizen_id", "at"], unique=False)

    op.create_table(
        "inbox_login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_inbox_login_sessions_consultant_id_consultants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_inbox_login_sessions_token_hash")),
    )
    with op.batch_alter_table("inbox_login_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_login_sessions_consultant_id"), ["consultant_id"], unique=False
        )

    op.create_table(
        "inbox_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_inbox_notes_consultant_id_consultants"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_inbox_notes_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_notes")),
    )
    with op.batch_alter_table("inbox_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_notes_conversation", ["conversation_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_notes_conversation")

    op.drop_table("inbox_notes")
    with op.batch_alter_table("inbox_login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_login_sessions_consultant_id"))

    op.drop_table("inbox_login_sessions")
    with op.batch_alter_table("inbox_audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_audit_log_citizen")
        batch_op.drop_index("ix_inbox_audit_log_at")

    op.drop_table("inbox_audit_log")
    with op.batch_alter_table("inbox_canned_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_canned_replies_team_id"))

    op.drop_table("inbox_canned_replies")
    with op.batch_alter_table("inbox_login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_login_failures_username_at")
        batch_op.drop_index("ix_inbox_login_failures_client_at")

    op.drop_table("inbox_login_failures")
