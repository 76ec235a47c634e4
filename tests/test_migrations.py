"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import bot.store.models
from bot.store.migrate import current_revision, downgrade, head_revision, is_up_to_date, upgrade
from tests.database import fresh_database, make_engine


def test_migrations_match_the_models_and_downgrade_cleanly(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            assert not is_up_to_date(engine)
            upgrade(engine)
            assert current_revision(engine) == head_revision(engine)
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, bot.store.models.Base.metadata)
            assert differences == []
            downgrade(engine, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        finally:
            engine.dispose()


def test_web_chat_keys_in_use_before_sessions_ended_get_a_session_from_their_identity(
    tmp_path: Path,
) -> None:
    seen = "2026-11-30 10:00:00+00:00"
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0009_team_scoping")
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO citizens (id, language, reminders_opted_out, sms_opted_out,"
                        " created_at, last_seen_at) VALUES (1, 'da', false, false, :at, :at)"
                    ),
                    {"at": seen},
                )
                for channel, address in (("web", "old-web-key-0001"), ("sms", "+4520000001")):
                    connection.execute(
                        text(
                            "INSERT INTO channel_identities (citizen_id, channel, address,"
                            " created_at, last_seen_at) VALUES (1, :channel, :address, :at, :at)"
                        ),
                        {"channel": channel, "address": address, "at": seen},
                    )
            upgrade(engine)
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT key, ended_at FROM web_sessions")).all()
            assert [tuple(row) for row in rows] == [("old-web-key-0001", None)]
        finally:
            engine.dispose()
