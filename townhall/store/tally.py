"""Where a group commit's time goes: statements, round trips, database wait, Python CPU.

An engine-wide cursor listener counts only on connections that carry a `Tally` in their
`info` (the committer's, while it commits a group), so every other statement pays one dict
lookup. Time "waiting for the database" is the wall time inside the driver's execute, plus
taking the connection with its BEGIN and the COMMIT; the event loop may run other tasks in
that time, so the loop thread's CPU spent meanwhile is not the group's: the group's Python
CPU is the loop thread's CPU over the whole group minus the CPU spent inside those waits.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

KEY = "townhall.tally"

_clock = time.perf_counter
_cpu = time.thread_time


class Tally:
    """The figures of one group commit, filled while it runs (times in seconds)."""

    __slots__ = (
        "_cpu_in_waits",
        "_cpu_started",
        "_info",
        "_mark",
        "_mark_cpu",
        "_started",
        "actions",
        "cpu",
        "db_wait",
        "kinds",
        "round_trips",
        "statements",
        "wall",
    )

    def __init__(self) -> None:
        self.statements = 0
        self.round_trips = 0
        self.db_wait = 0.0
        self.cpu = 0.0
        self.wall = 0.0
        self.actions = 0
        self.kinds: dict[str, int] = {}
        self._cpu_in_waits = 0.0
        self._info: dict[Any, Any] | None = None
        self._started = _clock()
        self._cpu_started = _cpu()
        self._mark = self._started
        self._mark_cpu = self._cpu_started

    def count(self, kind: str, size: int) -> None:
        self.actions += size
        self.kinds[kind] = self.kinds.get(kind, 0) + size

    async def attach(self, session: AsyncSession) -> None:
        """Take the session's connection (and its BEGIN, a wait) and count on it from now."""
        self.wait_from()
        connection = await session.connection()
        self.waited(round_trips=1)
        self._info = connection.sync_connection.info if connection.sync_connection else None
        if self._info is not None:
            self._info[KEY] = self

    def wait_from(self) -> None:
        self._mark = _clock()
        self._mark_cpu = _cpu()

    def waited(self, *, round_trips: int = 0) -> None:
        self.db_wait += _clock() - self._mark
        self._cpu_in_waits += _cpu() - self._mark_cpu
        self.round_trips += round_trips

    def committed(self) -> None:
        """The COMMIT (from `wait_from`) is done, the connection back in the pool."""
        self.waited(round_trips=1)
        self.detach()

    def detach(self) -> None:
        """Stop counting on the connection (it goes back to the pool, to other sessions)."""
        if self._info is not None:
            self._info.pop(KEY, None)
            self._info = None

    def finish(self) -> None:
        self.detach()
        self.wall = _clock() - self._started
        self.cpu = max(0.0, _cpu() - self._cpu_started - self._cpu_in_waits)

    def parts(self) -> str:
        kinds = " ".join(f"{kind}={size}" for kind, size in sorted(self.kinds.items()))
        return (
            f"{self.wall * 1000:.1f} ms: {self.actions} actions ({kinds}), "
            f"{self.statements} statements, {self.round_trips} round trips, "
            f"database wait {self.db_wait * 1000:.1f} ms, Python CPU {self.cpu * 1000:.1f} ms"
        )


def count_statements(engine: AsyncEngine) -> None:
    """Install the cursor listeners on `engine` (once, when it is created)."""
    sync = engine.sync_engine

    @event.listens_for(sync, "before_cursor_execute")
    def _before(conn: Connection, *_: Any) -> None:
        tally = conn.info.get(KEY)
        if tally is not None:
            tally.wait_from()

    @event.listens_for(sync, "after_cursor_execute")
    def _after(conn: Connection, *_: Any) -> None:
        tally = conn.info.get(KEY)
        if tally is not None:
            tally.statements += 1
            tally.waited(round_trips=1)
