"""queue waits: how long each conversation taken from the queue waited

Revision ID: 0008_queue_waits
Revises: 0007_flood_window
Create Date: 2026-11-27 19:30:00

The expected wait the bot tells a citizen it hands to a person was a constant per conversation
in the queue; it now follows the latest real waits, recorded here when a consultant takes one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0008_queue_waits"
down_revision = "0007_flood_window"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_queue_waits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "waiting_since", bot.store.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("taken_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_inbox_queue_waits_consultant_id_consultants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_queue_waits")),
    )
    with op.batch_alter_table("inbox_queue_waits") as batch:
        batch.create_index("ix_inbox_queue_waits_taken_at", ["taken_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_queue_waits") as batch:
        batch.drop_index("ix_inbox_queue_waits_taken_at")
    op.drop_table("inbox_queue_waits")
