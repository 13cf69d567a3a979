"""Process-wide tuning of a serving process."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# CPython's default (700, 10, 10) scanned a server's hundreds of thousands of long-lived
# objects (a few hundred per socket) every second or two: at 2,000 sockets about 2 s of CPU in
# 15 s, in pauses of up to a quarter of a second (docs/performance.md).
GC_THRESHOLDS = (10_000, 10, 10)

_frozen = False


def tune_garbage_collector() -> None:
    """Collect young objects after 10,000 allocations instead of 700, and leave everything
    alive at start-up (modules, the app, its engines) out of every later collection."""
    global _frozen
    gc.set_threshold(*GC_THRESHOLDS)
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True


def tune_switch_interval(seconds: float) -> None:
    """How long a thread may hold the GIL while another waits for it (CPython's default 5 ms).

    SQLite's statements run in aiosqlite's threads, which need the GIL to start a statement
    and to hand back its rows: beside an event loop that always has work, each hand-off
    waited up to the full interval. At 5,000 sockets on SQLite, 1 ms gave 750-800 votes/s
    against 560-600 at 5 ms (docs/performance.md)."""
    sys.setswitchinterval(seconds)


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on uvloop where it is installed (uvicorn serves on it), else asyncio's loop.

    The bench's client processes and its bare websockets server use this, so that the load
    generator spends as little of the machine as it can and the ceiling runs on the same loop
    as townhall."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard] on Linux
        return asyncio.run(main)
    return uvloop.run(main)
