"""Databases for servers run as processes of their own.

A server process takes its database from TOWNHALL_DATABASE_URL alone, so on PostgreSQL each
test gets a database of its own (not a schema, as the in-process servers of tests/conftest.py
do), dropped afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import Database, _database_params, own_postgres_database

from townhall.store.migrate import upgrade_async


@pytest.fixture(params=_database_params())
async def process_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Database]:
    """A migrated SQLite file, or a migrated PostgreSQL database of its own."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'townhall.db'}"
        await upgrade_async(url)
        yield Database(url, None, "sqlite")
        return
    async with own_postgres_database() as database:
        yield database


@pytest.fixture
async def postgres_process_database() -> AsyncIterator[Database]:
    async with own_postgres_database() as database:
        yield database
