"""flood window: the flood limit's count kept on the conversation

Revision ID: 0007_flood_window
Revises: 0006_message_lookups
Create Date: 2026-11-27 17:10:00

The pipeline counted a conversation's inbound messages of the last minute with a query per
message; the count now lives on the conversation row, which the pipeline locks and updates anyway.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0007_flood_window"
down_revision = "0006_message_lookups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column(
                "inbound_window_started_at",
                bot.store.models.base.UtcDateTime(timezone=True),
                nullable=True,
            )
        )
        batch.add_column(
            sa.Column("inbound_in_window", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("inbound_in_window")
        batch.drop_column("inbound_window_started_at")
