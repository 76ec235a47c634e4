"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

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
