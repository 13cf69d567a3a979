from __future__ import annotations

import gc
import sys

from conftest import Database, ServerFactory

from townhall.runtime import GC_THRESHOLDS, run_event_loop, tune_garbage_collector


def test_tuning_raises_the_thresholds_and_freezes_what_lived_at_start_up() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        tune_garbage_collector()  # a second app in the same process changes nothing more

        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*before)


def test_run_event_loop_runs_the_coroutine_on_uvloop() -> None:
    import asyncio

    import uvloop

    async def which_loop() -> str:
        await asyncio.sleep(0)
        return type(asyncio.get_running_loop()).__module__

    assert run_event_loop(which_loop()) == uvloop.Loop.__module__


async def test_a_started_server_hands_the_gil_over_after_its_setting(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    before = sys.getswitchinterval()
    try:
        await start_server(sqlite_database, switch_interval_ms=2.5)

        assert sys.getswitchinterval() == 0.0025
    finally:
        sys.setswitchinterval(before)
