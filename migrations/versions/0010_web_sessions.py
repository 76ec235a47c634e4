"""web sessions: a web chat key ends after an idle time or when the citizen ends it

Revision ID: 0010_web_sessions
Revises: 0009_team_scoping
Create Date: 2026-12-02 03:10:00

The web chat's key was a citizen's only credential and never expired. Each key now has a row
with its last use; an idle or ended key is refused and identifies no one. Keys in use before
this revision get a row from their channel identity, so an old idle key ends as well.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0010_web_sessions"
down_revision = "0009_team_scoping"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_active_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("ended_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("key", name=op.f("uq_web_sessions_key")),
    )
    op.execute(
        "INSERT INTO web_sessions (key, created_at, last_active_at) "
        "SELECT address, created_at, last_seen_at FROM channel_identities "
        "WHERE channel = 'web' AND length(address) <= 128"
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
