"""Shared fixtures: real databases (SQLite always, PostgreSQL when its URL is set), real Redis
when its URL is set, the real embedding model loaded once per session, and real servers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from townhall.app import create_app
from townhall.dedup.embedder import Embedder
from townhall.dedup.multilingual import USE_NAME, load_embedder
from townhall.settings import Settings, default_model_path
from townhall.store.db import create_engine, session_factory
from townhall.store.demo import DemoEvent, seed_demo
from townhall.store.migrate import upgrade_async
from townhall.web.protocol import FramedWebSocketProtocol

POSTGRES_URL = os.environ.get("TOWNHALL_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TOWNHALL_TEST_REDIS_URL")

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@dataclass(frozen=True)
class Database:
    url: str
    schema: str | None
    name: str


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` runs two pytest-xdist workers (`--dist loadgroup`). Tests that share Redis
    (its keys and channels name events by id, and every fresh database's first event is 1)
    run one after another on one worker; so do the fault tests, which each drive a server as
    hard as they can and wait for it within bounds."""
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis"))
        elif "faults" in Path(str(item.path)).parts:
            item.add_marker(pytest.mark.xdist_group("faults"))


def _database_params() -> list[object]:
    params: list[object] = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        params.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))
    return params


@pytest.fixture(params=_database_params())
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'townhall.db'}"
        await upgrade_async(url)
        yield Database(url, None, "sqlite")
        return
    async with postgres_schema() as database:
        yield database


@contextlib.asynccontextmanager
async def postgres_schema() -> AsyncIterator[Database]:
    """A migrated PostgreSQL schema of its own, dropped afterwards."""
    assert POSTGRES_URL is not None
    schema = f"th_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        await upgrade_async(POSTGRES_URL, schema=schema)
        yield Database(POSTGRES_URL, schema, "postgres")
    finally:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await engine.dispose()


@contextlib.asynccontextmanager
async def own_postgres_database(prefix: str = "th_proc") -> AsyncIterator[Database]:
    """A migrated PostgreSQL database of its own, dropped afterwards: for servers run as
    processes, which take their database from the URL alone (no schema)."""
    assert POSTGRES_URL is not None
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
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


@pytest.fixture
async def postgres_database() -> AsyncIterator[Database]:
    async with postgres_schema() as database:
        yield database


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> Database:
    url = f"sqlite+aiosqlite:///{tmp_path / 'townhall.db'}"
    await upgrade_async(url)
    return Database(url, None, "sqlite")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real models of the shipped scorer (all-MiniLM-L6-v2 for English, the multilingual
    encoder for every question), loaded once for the whole test session."""
    return load_embedder(default_model_path(), multilingual=USE_NAME)


@pytest.fixture
def settings() -> Settings:
    # Every test client comes from 127.0.0.1: per-network limits (docs/integrity.md) are wide
    # here, and tests/web/test_admission.py sets tight ones where it tests them.
    return Settings(
        secret_key="test-secret-key-0123456789",
        tick_seconds=0.05,
        rate_new_identities="100000/minute",
        rate_network_questions="100000/minute",
        rate_network_supporters="100000/hour",
    )


async def seed(database: Database, **changes: object) -> DemoEvent:
    """The demo series; returns its open event (changes apply to that event's columns)."""
    from sqlalchemy import update

    from townhall.store.tables import Event

    engine = create_engine(database.url, schema=database.schema)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            created = await seed_demo(session, datetime.now(UTC))
            if changes:
                await session.execute(
                    update(Event).where(Event.slug == created[0].slug).values(**changes)
                )
    finally:
        await engine.dispose()
    return created[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    ws_url: str
    app: object


ServerFactory = Callable[..., Awaitable[RunningServer]]


@pytest.fixture
async def start_server(settings: Settings, embedder: Embedder) -> AsyncIterator[ServerFactory]:
    """Starts real uvicorn servers on free ports (each like one worker process)."""
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(database: Database, **overrides: object) -> RunningServer:
        port = _free_port()
        merged = replace(
            settings,
            database_url=database.url,
            public_origin=f"http://127.0.0.1:{port}",
            **overrides,  # type: ignore[arg-type]  # test-only field overrides
        )
        app = create_app(merged, embedder=embedder, db_schema=database.schema)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ws_max_size=merged.max_frame_bytes,
            ws=FramedWebSocketProtocol,
            ws_per_message_deflate=merged.ws_compression,
            proxy_headers=False,  # as `townhall serve`: only TOWNHALL_TRUSTED_PROXIES counts
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        servers.append((server, task))
        for _ in range(400):
            if server.started:
                break
            await asyncio.sleep(0.025)
        assert server.started, "test server did not start"
        return RunningServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", app)

    yield start
    for server, _ in servers:
        server.should_exit = True
    for _, task in servers:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
