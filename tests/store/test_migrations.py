"""The Alembic migration builds exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import Database
from sqlalchemy import inspect

from townhall.store.db import create_engine
from townhall.store.migrate import alembic_config
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


async def test_migration_gives_invited_organisations_profiles_and_keeps_votes(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0006")
    engine = create_engine(url)
    at = "2026-12-01 10:00:00"
    async with engine.begin() as connection:
        run = connection.exec_driver_sql
        await run(
            "INSERT INTO series (id, slug, uid, title, description, created_at, updated_at) "
            f"VALUES (1, 's', 'u', 'S', '', '{at}', '{at}')"
        )
        for event_id, series in ((1, "1"), (2, "1"), (3, "NULL")):
            await run(
                "INSERT INTO events (id, series_id, slug, uid, code, title, kind, description, "
                "starts_at, timezone, duration_minutes, status, questions_open, "
                "moderation_mode, moderator_key_hash, sequence, languages, created_at, "
                f"updated_at) VALUES ({event_id}, {series}, 'e{event_id}', 'u{event_id}', "
                f"'C{event_id}', 'E', 'town_hall', '', '{at}', 'UTC', 60, 'live', 1, 'post', "
                f"'h', 0, '[]', '{at}', '{at}')"
            )
        for invitation_id, event_id, name in ((1, 1, "Oxfam"), (2, 2, "OXFAM"), (3, 3, "Oxfam")):
            await run(
                "INSERT INTO invitations (id, event_id, name, token_hash, created_at) "
                f"VALUES ({invitation_id}, {event_id}, '{name}', 't{invitation_id}', '{at}')"
            )
        await run(f"INSERT INTO participants (id, created_at) VALUES ('p', '{at}')")
        await run(
            "INSERT INTO questions (id, event_id, author_id, text, status, root_id, supporters, "
            f"dedup_state, created_at) VALUES (1, 1, 'p', 'Why?', 'open', 1, 1, 'done', '{at}')"
        )
        await run(
            "INSERT INTO votes (question_id, participant_id, created_at, event_id) "
            f"VALUES (1, 'p', '{at}', 1)"
        )
    await engine.dispose()

    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")

    engine = create_engine(url)
    async with engine.connect() as connection:
        organisations = (
            await connection.exec_driver_sql(
                "SELECT id, series_id, name FROM organisations ORDER BY id"
            )
        ).all()
        invitations = (
            await connection.exec_driver_sql(
                "SELECT id, organisation_id FROM invitations ORDER BY id"
            )
        ).all()
        votes = (await connection.exec_driver_sql("SELECT count(*) FROM votes")).scalar()
        asked = (await connection.exec_driver_sql("SELECT organisation_id FROM questions")).all()
    await engine.dispose()

    assert [tuple(row) for row in organisations] == [(1, 1, "Oxfam"), (2, None, "Oxfam")]
    assert [tuple(row) for row in invitations] == [(1, 1), (2, 1), (3, 2)]
    assert (votes, [tuple(row) for row in asked]) == (1, [(None,)])
