"""Databases for servers run as processes of their own.

A server process takes its database from TOWNHALL_DATABASE_URL alone, so on PostgreSQL each
test gets a database of its own (not a schema, as the in-process servers of tests/conftest.py
do), dropped afterwards.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import POSTGRES_URL, Database, _database_params
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

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


@contextlib.asynccontextmanager
async def own_postgres_database() -> AsyncIterator[Database]:
    """A migrated PostgreSQL database of its own, dropped afterwards."""
    assert POSTGRES_URL is not None
    name = f"th_faults_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade_async(url)
        yield Database(url, None, "postgres")
    finally:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.dispose()
