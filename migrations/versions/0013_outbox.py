"""outbox: who holds a message being sent, and when retrying it ends

Revision ID: 0013_outbox
Revises: 0012_reach
Create Date: 2026-12-02 06:40:00

``claimed_by`` names the sender process that holds a ``sending`` row (host, pid and a token per
start), so a crashed sender's rows are settled at once instead of after its claim runs out.
``give_up_at`` is when retrying a message ends (set at its first attempt, cleared by "send
again"): a total deadline instead of a count of attempts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0013_outbox"
down_revision = "0012_reach"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch.add_column(
            sa.Column("give_up_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("give_up_at")
        batch.drop_column("claimed_by")
