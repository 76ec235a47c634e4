"""inbox work: contact details with consent, absence annulment, satisfaction answers

Revision ID: 0014_inbox_work
Revises: 0013_outbox
Create Date: 2026-12-02 06:40:00

A consultant may record a citizen's name and phone number with the citizen's consent
(citizen_contacts, deleted with the citizen), annul or correct an absence notice with a reason
(four columns on absence_notices), and the citizen's answer to "Fik du hjælp?" after a closed
chat is kept per team and week (satisfaction_answers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0014_inbox_work"
down_revision = "0013_outbox"
branch_labels = None
depends_on = None

Moment = bot.store.models.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "citizen_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("consent_statement", sa.String(length=80), nullable=False),
        sa.Column("consent_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_at", Moment(timezone=True), nullable=False),
        sa.Column("updated_at", Moment(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_citizen_contacts_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consent_by_id"],
            ["consultants.id"],
            name=op.f("fk_citizen_contacts_consent_by_id_consultants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_contacts")),
        sa.UniqueConstraint("citizen_id", name=op.f("uq_citizen_contacts_citizen_id")),
    )
    op.create_table(
        "satisfaction_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", Moment(timezone=True), nullable=False),
        sa.Column("answered_at", Moment(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "answer IN ('yes', 'partly', 'no')", name=op.f("ck_satisfaction_answers_answer")
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_satisfaction_answers_citizen_id_citizens"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_satisfaction_answers_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_satisfaction_answers_consultant_id_consultants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_answers")),
    )
    op.create_index(
        "ix_satisfaction_answers_citizen", "satisfaction_answers", ["citizen_id", "asked_at"]
    )
    op.create_index(
        "ix_satisfaction_answers_team_asked", "satisfaction_answers", ["team_id", "asked_at"]
    )
    with op.batch_alter_table("absence_notices") as batch:
        batch.add_column(sa.Column("annulled_at", Moment(timezone=True), nullable=True))
        batch.add_column(sa.Column("changed_at", Moment(timezone=True), nullable=True))
        batch.add_column(sa.Column("changed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("change_reason", sa.String(length=500), nullable=True))
        batch.create_foreign_key(
            op.f("fk_absence_notices_changed_by_id_consultants"),
            "consultants",
            ["changed_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("absence_notices") as batch:
        batch.drop_constraint(
            op.f("fk_absence_notices_changed_by_id_consultants"), type_="foreignkey"
        )
        batch.drop_column("change_reason")
        batch.drop_column("changed_by_id")
        batch.drop_column("changed_at")
        batch.drop_column("annulled_at")
    op.drop_index("ix_satisfaction_answers_team_asked", table_name="satisfaction_answers")
    op.drop_index("ix_satisfaction_answers_citizen", table_name="satisfaction_answers")
    op.drop_table("satisfaction_answers")
    op.drop_table("citizen_contacts")
