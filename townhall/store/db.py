"""Engine and session factory for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from townhall.store.sqlite_driver import one_trip_dbapi
from townhall.store.tally import count_statements

log = logging.getLogger(__name__)

# A graceful close waits for the database to answer; one that went away mid-conversation may
# never answer, and shutdown must not wait for it (a restart during an outage).
DISPOSE_SECONDS = 5.0

SessionFactory = async_sessionmaker[AsyncSession]
WRITE_OPTION = "townhall_write"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if is_sqlite(url) and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """An async engine; `schema` selects a PostgreSQL schema (tests use one per run)."""
    kwargs: dict[str, Any] = {}
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        kwargs["connect_args"] = {"timeout": 30}
        if make_url(url).get_driver_name() == "aiosqlite":
            kwargs["module"] = one_trip_dbapi()
    elif schema:
        kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    # A vote batch inserts up to 5,000 rows at once (actions/votes.py): in one statement, not
    # pages of 1,000, each another round trip the batch would wait for.
    engine = create_async_engine(url, insertmanyvalues_page_size=5000, **kwargs)
    if is_sqlite(url):
        _configure_sqlite(engine)
    count_statements(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN; we issue it ourselves
        # so that writers take the lock at the start (BEGIN IMMEDIATE) and never deadlock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front so two writers queue on busy_timeout
        # instead of failing when a read lock cannot be upgraded; readers stay deferred.
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(engine: AsyncEngine, *, write: bool = False) -> SessionFactory:
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return async_sessionmaker(bind, expire_on_commit=False)


@contextlib.asynccontextmanager
async def snapshot_reads(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A read session whose statements all see one snapshot of the database. SQLite's read
    transaction does (its BEGIN is deferred to the first read); PostgreSQL's default READ
    COMMITTED takes a snapshot per statement, so this one is REPEATABLE READ."""
    async with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


async def dispose_within(engine: AsyncEngine, seconds: float = DISPOSE_SECONDS) -> None:
    """Close the pool's connections, giving up on the ones that do not close in time."""
    try:
        async with asyncio.timeout(seconds):
            await engine.dispose()
    except TimeoutError:
        log.warning("database connections did not close within %.0f s; leaving them", seconds)
