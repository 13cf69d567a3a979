"""The Alembic migration builds exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import Database
from sqlalchemy import inspect

from townhall.store.db import create_engine
from townhall.store.tables import Base


async def test_migration_matches_models(database: Database) -> None:
    engine = create_engine(database.url, schema=database.schema)

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()

    assert differences == []
    assert {"series", "events", "participants", "questions", "votes", "moderation_log"} <= tables


async def test_sqlite_runs_in_wal_mode(sqlite_database: Database) -> None:
    engine = create_engine(sqlite_database.url)
    async with engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
    await engine.dispose()

    assert mode == "wal"
