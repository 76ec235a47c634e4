"""message lookups: indexes by citizen and by address

Revision ID: 0006_message_lookups
Revises: 0005_reminders
Create Date: 2026-11-27 16:50:00

Under load, finding a citizen's latest messages (a reminder's answer, a numbered SMS choice, the
web chat's poll) scanned the whole messages table; PostgreSQL spent more time on it than on the
rest of a message.
"""

from __future__ import annotations

from alembic import op

revision = "0006_message_lookups"
down_revision = "0005_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_messages_citizen", "messages", ["citizen_id", "id"])
    op.create_index("ix_messages_address", "messages", ["channel", "address", "id"])


def downgrade() -> None:
    op.drop_index("ix_messages_address", table_name="messages")
    op.drop_index("ix_messages_citizen", table_name="messages")
