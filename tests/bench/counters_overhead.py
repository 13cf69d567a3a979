"""Micro-benchmark: what the server's own counters cost a group commit (docs/performance.md).

    PYTHONPATH=$PWD python tests/bench/counters_overhead.py --rounds 3 --groups 300

Commits the same groups (a work of `--statements` small statements each) through a
`GroupCommitter` on SQLite, with the counters (the cursor listeners, a `Tally` per group and
the Prometheus observations) and without (an engine with no listeners, no observer), the two
interleaved round by round so that load on the machine weighs on both alike. Prints the
median CPU time of the event loop's thread per group (the database's own work runs in
aiosqlite's thread and is left out, as are waits), and the difference. Not a test: speed
belongs in benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.live.metrics import Metrics
from townhall.store import db
from townhall.store.committer import GroupCommitter
from townhall.store.db import create_engine, session_factory


async def _groups(counted: bool, url: str, groups: int, statements: int) -> float:
    observe: Any = None
    if counted:
        engine = create_engine(url)
        observe = Metrics(slow_batch_seconds=3600, slow_tick_seconds=3600).observe_commit
    else:  # the same engine as before the counters: without the cursor listeners
        with patch.object(db, "count_statements", lambda engine: None):
            engine = create_engine(url)
    committer = GroupCommitter(session_factory(engine, write=True), observe=observe)
    await committer.start()

    async def work(session: AsyncSession) -> None:
        for _ in range(statements):
            await session.execute(text("SELECT 1"))

    try:
        await committer.run(work)  # connect outside the timing
        started = time.thread_time()
        for _ in range(groups):
            await committer.run(work, kind="votes", size=100)
        return (time.thread_time() - started) / groups
    finally:
        await committer.stop()
        await engine.dispose()


async def main(rounds: int, groups: int, statements: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        times: dict[bool, list[float]] = {True: [], False: []}
        for number in range(rounds):
            order = (True, False) if number % 2 == 0 else (False, True)
            for counted in order:
                times[counted].append(await _groups(counted, url, groups, statements))
    plain, counted = statistics.median(times[False]), statistics.median(times[True])
    print(f"without counters: {plain * 1e6:.1f} us per group (runs: {_us(times[False])})")
    print(f"with counters:    {counted * 1e6:.1f} us per group (runs: {_us(times[True])})")
    print(f"difference:       {(counted - plain) * 1e6:+.1f} us per group of {statements}")


def _us(values: list[float]) -> str:
    return ", ".join(f"{value * 1e6:.0f}" for value in values)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--statements", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.groups, args.statements))
