"""The spread cache: shared reads, kept longer after a slow one, one read at a time."""

from __future__ import annotations

import asyncio
from typing import Any

from townhall.actions.spread import SpreadCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_spread_cache_keeps_a_slow_read_ten_times_as_long() -> None:
    clock = Clock()
    cache = SpreadCache(refresh=2.0, cost_factor=10.0, clock=clock)
    reads: list[float] = []

    async def slow_read() -> dict[str, Any]:
        reads.append(clock.now)
        clock.now += 1.5  # the read takes 1.5 s: kept 15 s
        return {"read": len(reads)}

    first = await cache.get(1, 5, slow_read)
    clock.now += 14.0
    cached = await cache.get(1, 5, slow_read)
    clock.now += 1.0
    fresh = await cache.get(1, 5, slow_read)

    assert (first, cached, fresh) == ({"read": 1}, {"read": 1}, {"read": 2})


async def test_spread_cache_fast_reads_are_kept_for_the_refresh_time() -> None:
    clock = Clock()
    cache = SpreadCache(refresh=2.0, cost_factor=10.0, clock=clock)
    count = 0

    async def fast_read() -> dict[str, Any]:
        nonlocal count
        count += 1
        return {"read": count}

    views = [await cache.get(1, 5, fast_read)]
    clock.now += 1.9
    views.append(await cache.get(1, 5, fast_read))
    views.append(await cache.get(2, 5, fast_read))  # another event reads its own
    clock.now += 0.2
    views.append(await cache.get(1, 5, fast_read))

    assert views == [{"read": 1}, {"read": 1}, {"read": 2}, {"read": 3}]


async def test_spread_cache_reads_once_for_callers_arriving_together() -> None:
    cache = SpreadCache()
    release = asyncio.Event()
    count = 0

    async def read() -> dict[str, Any]:
        nonlocal count
        count += 1
        await release.wait()
        return {"read": count}

    waiting = [asyncio.create_task(cache.get(1, 5, read)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    views = await asyncio.gather(*waiting)

    assert (count, views) == (1, [{"read": 1}] * 5)
