"""The hub on the memory backend and, when its URL is set, on real Redis across two hubs."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

import pytest

from townhall.live.backends import MemoryBackend, RedisBackend
from townhall.live.hub import Hub, Screen

REDIS_URL = os.environ.get("TOWNHALL_TEST_REDIS_URL")


class Counter:
    def __init__(self) -> None:
        self.renders: list[int] = []

    async def __call__(self, event_id: int, online: int) -> Mapping[str, str]:
        self.renders.append(event_id)
        return {"participant": f"p{len(self.renders)}", "moderator": f"m{len(self.renders)}"}


async def _next(screen: Screen, within: float = 2.0) -> str | None:
    return await asyncio.wait_for(screen.outbox.get(), within)


async def test_hub_memory_coalesces_many_notifications_into_few_renders() -> None:
    render = Counter()
    hub = Hub(MemoryBackend(), render, tick_seconds=0.05)
    await hub.start()
    screen = Screen("participant", outbox_limit=8)
    await hub.join(7, screen)

    for _ in range(1000):
        await hub.notify(7)
    await asyncio.sleep(0.3)
    await hub.stop()

    assert 1 <= len(render.renders) <= 4
    assert await _next(screen) is None  # closed by stop


async def test_hub_sends_each_audience_its_own_string() -> None:
    render = Counter()
    hub = Hub(MemoryBackend(), render, tick_seconds=0.02)
    await hub.start()
    participant, moderator = Screen("participant", 8), Screen("moderator", 8)
    await hub.join(1, participant)
    await hub.join(1, moderator)

    first_p, first_m = await _next(participant), await _next(moderator)
    await hub.stop()

    assert (first_p, first_m) == ("p1", "m1")


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="TOWNHALL_TEST_REDIS_URL is not set")
async def test_hub_redis_carries_a_change_to_another_process() -> None:
    assert REDIS_URL is not None
    render_a, render_b = Counter(), Counter()
    hub_a = Hub(RedisBackend(REDIS_URL), render_a, tick_seconds=0.02)
    hub_b = Hub(RedisBackend(REDIS_URL), render_b, tick_seconds=0.02)
    await hub_a.start()
    await hub_b.start()
    watcher = Screen("participant", 8)
    event_id = 900_000 + os.getpid()
    await hub_b.join(event_id, watcher)
    await _next(watcher)  # the join itself renders once
    await asyncio.sleep(0.2)  # let hub_b's subscription land

    await hub_a.notify(event_id)
    update = await _next(watcher)
    await hub_a.stop()
    await hub_b.stop()

    assert update == "p2"
    assert render_a.renders == []  # hub_a has no screens for the event: it renders nothing
