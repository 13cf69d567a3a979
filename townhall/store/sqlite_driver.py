"""SQLAlchemy's aiosqlite dialect, with one trip to the database thread per statement.

aiosqlite runs each SQLite connection in a thread of its own and hands every call to it:
SQLAlchemy's adapter makes four such trips per statement (open a cursor, execute, fetch, close),
each a queue hand-off, a thread wake-up and a wake-up of the event loop. Measured on a 2-core
machine, `SELECT 1` then cost 300 µs of CPU, and a batch of one vote (a dozen statements) 7 ms.
Here a statement is executed, fetched and closed in a single trip, and a rollback with no
transaction open (the pool's, on every return) makes none. Everything else (the
dialect, pooling, transactions, types, errors) is stock; URLs say `sqlite+aiosqlite` as before.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

# description, rowcount, lastrowid, rows, whether a transaction is open after the statement
Outcome = tuple[Any, int, int | None, list[Any], bool]


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor: each statement opens and closes a sqlite3 one in the thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]  # DBAPI: None before an insert

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _run(self, operation: Any, parameters: Any, many: bool) -> Any:
        raw: sqlite3.Connection = self._connection._conn

        def in_thread() -> Outcome:
            cursor = raw.cursor()
            try:
                if many:
                    cursor.executemany(operation, parameters)
                elif parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                rows = cursor.fetchall() if cursor.description else []
                outcome = cursor.description, cursor.rowcount, cursor.lastrowid, rows
                return (*outcome, raw.in_transaction)
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            outcome: Outcome = await self._connection._execute(in_thread)
        self._description, self._rowcount, self._lastrowid, rows, in_transaction = outcome
        cast(OneTripConnection, self._adapt_connection).in_transaction = in_transaction
        self._rows = collections.deque(rows)
        return self

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        return await self._run(operation, seq_of_parameters, many=True)

    async def _async_soft_close(self) -> None:
        return  # nothing is open between statements

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("in_transaction",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # a subclass, as intended

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        # Whether SQLite had a transaction open after the last statement, as the database
        # thread read it. Only that thread touches the sqlite3 connection: reading its
        # `in_transaction` from the event loop's thread can race with a close running in the
        # database thread, a use after free (suspected in a CI run that died of a segfault).
        self.in_transaction = False

    def rollback(self) -> None:
        # The pool rolls back every connection it takes back, even one whose transaction
        # has just committed; with no transaction open that is a no-op in SQLite, so it is
        # not worth a trip to the database thread.
        if self.in_transaction:
            super().rollback()
            self.in_transaction = False

    def commit(self) -> None:
        super().commit()
        self.in_transaction = False


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        stock = super().connect(*arg, **kw)
        return OneTripConnection(self, stock._connection)


def one_trip_dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module for `create_async_engine(..., module=...)` with aiosqlite URLs."""
    import aiosqlite

    return OneTripDBAPI(aiosqlite, sqlite3)
