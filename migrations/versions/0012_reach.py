"""reach: what providers said about reaching a citizen, a callback number, edited messages

Revision ID: 0012_reach
Revises: 0011_attachments
Create Date: 2026-12-02 06:40:00

Twilio's 21610/30004-30006 and a Telegram block are remembered on the citizen, so proactive
messages go by another channel; a phone number typed for a callback is kept apart from the
identity-linking ``phone``; an inbound message can be marked as an edit of an earlier one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_reach"
down_revision = "0011_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(
            sa.Column("telegram_blocked", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("sms_unreachable", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("callback_phone", sa.String(length=20), nullable=True))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(
            sa.Column("edited", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("edited")
    with op.batch_alter_table("citizens") as batch:
        batch.drop_column("callback_phone")
        batch.drop_column("sms_unreachable")
        batch.drop_column("telegram_blocked")
