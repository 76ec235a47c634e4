"""reminders: reminder rows and recurring check-ins

Revision ID: 0005_reminders
Revises: 0004_inbox
Create Date: 2026-11-23 13:50:02.283468
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0005_reminders"
down_revision = "0004_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("every_weeks BETWEEN 1 AND 52", name=op.f("ck_check_ins_every_weeks")),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_check_ins_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["consultants.id"], name=op.f("fk_check_ins_set_by_id_consultants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint("citizen_id", name=op.f("uq_check_ins_citizen_id")),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("check_in_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("hours_before", sa.Float(), nullable=True),
        sa.Column("planned_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("policy", sa.String(length=40), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("sent_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('confirmation', 'before', 'check_in')", name=op.f("ck_reminders_kind")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'sent', 'cancelled', 'skipped', 'failed')",
            name=op.f("ck_reminders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_reminders_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_reminders_check_in_id_check_ins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_reminders_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_reminders_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_reminders_dedupe_key")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index("ix_reminders_booking", ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminders_check_in_id"), ["check_in_id"], unique=False)
        batch_op.create_index("ix_reminders_citizen_sent", ["citizen_id", "sent_at"], unique=False)
        batch_op.create_index("ix_reminders_status_due", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_status_due")
        batch_op.drop_index("ix_reminders_citizen_sent")
        batch_op.drop_index(batch_op.f("ix_reminders_check_in_id"))
        batch_op.drop_index("ix_reminders_booking")

    op.drop_table("reminders")
    op.drop_table("check_ins")
