"""The aiosqlite adapter that makes one trip to the database thread per statement."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from townhall.store.db import create_engine
from townhall.store.sqlite_driver import OneTripCursor


async def test_statements_read_write_and_fail_as_with_the_stock_adapter(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
            )
            inserted = await connection.execute(text("INSERT INTO t (name) VALUES ('a')"))
            assert inserted.lastrowid == 1
            many = await connection.execute(
                text("INSERT INTO t (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
            )
            assert many.rowcount == 2
            returned = await connection.execute(
                text("UPDATE t SET name = name || '!' WHERE id > 1 RETURNING id")
            )
            assert sorted(returned.scalars()) == [2, 3]
            updated = await connection.execute(text("UPDATE t SET name = 'z' WHERE id = 1"))
            assert updated.rowcount == 1
            rows = (await connection.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
            assert [tuple(row) for row in rows] == [(1, "z"), (2, "b!"), (3, "c!")]
            raw = await connection.get_raw_connection()
            assert isinstance(raw.driver_connection, aiosqlite.Connection)
            assert raw.dbapi_connection._cursor_cls is OneTripCursor  # type: ignore[union-attr]
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (name) VALUES ('z')"))
    finally:
        await engine.dispose()


@pytest.fixture
def count_trips(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[int]]:
    """Counts trips to aiosqlite's thread from the call on; the count is the list's item."""

    def start() -> list[int]:
        trips = [0]
        stock = aiosqlite.Connection._execute

        async def counted(self: aiosqlite.Connection, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
            trips[0] += 1
            return await stock(self, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        return trips

    return start


async def test_a_statement_is_one_trip_to_the_database_thread(
    tmp_path: Path, count_trips: Callable[[], list[int]]
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))  # connected, pragmas set
            trips = count_trips()
            rows = (await connection.execute(text("SELECT 1 UNION SELECT 2"))).all()

            assert len(rows) == 2
            assert trips == [1]
    finally:
        await engine.dispose()


async def test_a_committed_transaction_takes_no_trip_to_be_returned_to_the_pool(
    tmp_path: Path, count_trips: Callable[[], list[int]]
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'returns.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        trips = count_trips()
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (id) VALUES (1)"))
        committed = trips[0]
        with pytest.raises(RuntimeError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (id) VALUES (2)"))
                raise RuntimeError("abandoned")
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id FROM t"))).all()

        assert committed == 3  # BEGIN, the INSERT, COMMIT: no rollback on the way back
        assert rows == [(1,)]  # the abandoned transaction was still rolled back
    finally:
        await engine.dispose()
