"""attachments: files citizens send (photos, PDFs, voice messages, MMS media)

Revision ID: 0011_attachments
Revises: 0010_web_sessions
Create Date: 2026-12-02 06:45:00

A photo or PDF was stored as the text "[photo]" and the file thrown away. Each file now has a
row with its bytes (in the database, so the SQLite demo keeps them too), or with the reason it
was not kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0011_attachments"
down_revision = "0010_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("problem", sa.String(length=20), nullable=True),
        sa.Column("absence_notice_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["absence_notice_id"],
            ["absence_notices.id"],
            name=op.f("fk_message_attachments_absence_notice_id_absence_notices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_message_attachments_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_attachments_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    op.create_index(
        "ix_message_attachments_citizen",
        "message_attachments",
        ["citizen_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_message_attachments_message", "message_attachments", ["message_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_message_attachments_message", table_name="message_attachments")
    op.drop_index("ix_message_attachments_citizen", table_name="message_attachments")
    op.drop_table("message_attachments")
