"""scheduling: locations, slots, bookings, absence, job profiles

Revision ID: 0002_scheduling
Revises: 0001_foundation
Create Date: 2026-11-23 13:43:56.374416
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models.base

revision = "0002_scheduling"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("directions", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('office', 'open_counselling', 'phone')", name=op.f("ck_locations_kind")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_locations_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
    )
    op.create_table(
        "opening_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.CheckConstraint("opens < closes", name=op.f("ck_opening_hours_order")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_opening_hours_weekday")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_opening_hours_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_hours")),
    )
    op.create_table(
        "slot_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_slot_exceptions_order")),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_slot_exceptions_consultant_id_consultants"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_slot_exceptions_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_slot_exceptions_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_exceptions")),
    )
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_slots_order")),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_slots_consultant_id_consultants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_slots_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
        sa.UniqueConstraint(
            "consultant_id", "starts_at", name=op.f("uq_slots_consultant_id_starts_at")
        ),
    )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.create_index("ix_slots_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("reminder_policy", sa.String(length=40), nullable=True),
        sa.Column("booked_via", sa.String(length=20), nullable=True),
        sa.Column("rescheduled_from_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('booked', 'confirmed', 'cancelled', 'attended', 'no_show')",
            name=op.f("ck_bookings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_bookings_citizen_id_citizens"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_bookings_consultant_id_consultants"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_bookings_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["rescheduled_from_id"],
            ["bookings.id"],
            name=op.f("fk_bookings_rescheduled_from_id_bookings"),
        ),
        sa.ForeignKeyConstraint(["slot_id"], ["slots.id"], name=op.f("fk_bookings_slot_id_slots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_citizen_status", ["citizen_id", "status"], unique=False)
        batch_op.create_index("ix_bookings_starts_at", ["starts_at"], unique=False)
        batch_op.create_index(
            "uq_bookings_active_slot",
            ["slot_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('booked', 'confirmed')"),
            sqlite_where=sa.text("status IN ('booked', 'confirmed')"),
        )

    op.create_table(
        "job_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("kinds_of_work", bot.store.models.base.JsonType, nullable=False),
        sa.Column("hours_per_week", sa.Double(), nullable=True),
        sa.Column("days", bot.store.models.base.JsonType, nullable=False),
        sa.Column("cannot_do", sa.Text(), nullable=True),
        sa.Column("details", bot.store.models.base.JsonType, nullable=False),
        sa.Column("updated_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_job_profiles_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_profiles")),
        sa.UniqueConstraint("citizen_id", name=op.f("uq_job_profiles_citizen_id")),
    )
    op.create_table(
        "absence_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("activity", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("seen_at", bot.store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("seen_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('own_sickness', 'child_sick', 'other')",
            name=op.f("ck_absence_notices_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_absence_notices_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_absence_notices_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["seen_by_id"],
            ["consultants.id"],
            name=op.f("fk_absence_notices_seen_by_id_consultants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence_notices")),
    )
    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_absence_notices_citizen", ["citizen_id", "reported_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_absence_notices_citizen")

    op.drop_table("absence_notices")
    op.drop_table("job_profiles")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bookings_active_slot",
            postgresql_where=sa.text("status IN ('booked', 'confirmed')"),
            sqlite_where=sa.text("status IN ('booked', 'confirmed')"),
        )
        batch_op.drop_index("ix_bookings_starts_at")
        batch_op.drop_index("ix_bookings_citizen_status")

    op.drop_table("bookings")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_index("ix_slots_starts_at")

    op.drop_table("slots")
    op.drop_table("slot_exceptions")
    op.drop_table("opening_hours")
    op.drop_table("locations")
