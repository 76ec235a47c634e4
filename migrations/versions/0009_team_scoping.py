"""team scoping: system admins, and the audit log per team

Revision ID: 0009_team_scoping
Revises: 0008_queue_waits
Create Date: 2026-12-02 03:00:00

An admin read every team's audit log. Each entry now records the acting consultant's team
(existing entries take their consultant's current team), and a consultant may be a system admin,
who reads every team's. Refused logins kept what was typed as the username (a password typed in
the wrong field, too); they are only the login brake's memory, so they are dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_team_scoping"
down_revision = "0008_queue_waits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consultants") as batch:
        batch.add_column(
            sa.Column("system_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("inbox_audit_log") as batch:
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_inbox_audit_log_team_id_teams"),
            "teams",
            ["team_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_inbox_audit_log_team", ["team_id", "at"], unique=False)
    op.execute(
        "UPDATE inbox_audit_log SET team_id = "
        "(SELECT team_id FROM consultants WHERE consultants.id = inbox_audit_log.consultant_id)"
    )
    op.execute("DELETE FROM inbox_login_failures")


def downgrade() -> None:
    with op.batch_alter_table("inbox_audit_log") as batch:
        batch.drop_index("ix_inbox_audit_log_team")
        batch.drop_constraint(op.f("fk_inbox_audit_log_team_id_teams"), type_="foreignkey")
        batch.drop_column("team_id")
    with op.batch_alter_table("consultants") as batch:
        batch.drop_column("system_admin")
