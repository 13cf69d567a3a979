"""The server's counters: a slow group commit is logged once, with its parts; the next ones
within the quiet time are counted and told with the next line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Database
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.live.metrics import Metrics, SlowLog
from townhall.store.committer import GroupCommitter
from townhall.store.db import create_engine, session_factory


async def test_metrics_slow_commit_logged_once_with_votes_and_statements(
    sqlite_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = Metrics(slow_batch_seconds=0.0, slow_tick_seconds=0.0)
    engine = create_engine(sqlite_database.url)
    committer = GroupCommitter(session_factory(engine, write=True), observe=metrics.observe_commit)
    await committer.start()

    async def work(session: AsyncSession) -> None:
        await session.execute(text("SELECT 1"))

    caplog.set_level(logging.WARNING, logger="townhall.live.metrics")
    try:
        await committer.run(work, kind="votes", size=40)
        await committer.run(work, kind="votes", size=2)
    finally:
        await committer.stop()
        await engine.dispose()

    lines = [r.getMessage() for r in caplog.records if r.name == "townhall.live.metrics"]
    assert len(lines) == 1
    assert lines[0].startswith("slow batch: ")
    assert "40 actions (votes=40), 1 statements, 3 round trips, database wait" in lines[0]
    assert "Python CPU" in lines[0]


def test_slow_log_tells_how_many_it_left_out(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    slow = SlowLog("tick", threshold=0.1, quiet=10.0, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="townhall.live.metrics")

    slow.check(0.05, lambda: "fast")
    slow.check(0.2, lambda: "first")
    slow.check(0.3, lambda: "second")
    slow.check(0.4, lambda: "third")
    now[0] += 10.0  # the quiet time has passed
    slow.check(0.5, lambda: "fourth")

    assert [r.getMessage() for r in caplog.records] == [
        "slow tick: first",
        "slow tick: fourth (2 more slow since the last line)",
    ]


def _in_process(code: str, folder: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_metrics_in_multiprocess_mode_sum_every_workers_counters(tmp_path: Path) -> None:
    worker = (
        "from townhall.live.metrics import Metrics\n"
        "m = Metrics(slow_batch_seconds=1, slow_tick_seconds=1)\n"
        "m.observe_batch('votes', {size}, 0.01, {size})\n"
    )
    scrape = (
        "import sys\n"
        "from townhall.live.metrics import Metrics\n"
        "sys.stdout.write(Metrics(slow_batch_seconds=1, slow_tick_seconds=1)"
        ".exposition().decode())\n"
    )

    _in_process(worker.format(size=30), tmp_path)
    _in_process(worker.format(size=12), tmp_path)
    text = _in_process(scrape, tmp_path)

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("townhall_accepted_total", (("kind", "votes"),))] == 42
    assert samples[("townhall_batch_size_count", (("kind", "votes"),))] == 2
    # The process figures would be the answering worker's only: left out (docs/deployment.md).
    assert [name for name, _ in samples if name.startswith("process_")] == []
