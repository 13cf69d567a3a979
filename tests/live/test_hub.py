"""The hub on the memory backend and, when its URL is set, on real Redis across two hubs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from townhall.live.backends import MemoryBackend, RedisBackend
from townhall.live.hub import Hub, Screen

REDIS_URL = os.environ.get("TOWNHALL_TEST_REDIS_URL")


class Counter:
    """Renders a body whose only item carries the render count."""

    def __init__(self) -> None:
        self.renders: list[int] = []
        self.asked: list[frozenset[str]] = []
        self.changed: list[frozenset[int] | None] = []

    async def __call__(
        self,
        event_id: int,
        online: int,
        audiences: frozenset[str],
        changed: frozenset[int] | None = None,
    ) -> Mapping[str, dict[str, Any]]:
        self.renders.append(event_id)
        self.asked.append(audiences)
        self.changed.append(changed)
        n = len(self.renders)
        return {
            audience: {
                "event": {"id": event_id},
                "now_answering": None,
                "open": [{"id": 1, "n": n}],
            }
            for audience in ("participant", "moderator")
            if audience in audiences
        }


def _n(message: str | None) -> tuple[str, int]:
    assert message is not None
    decoded = json.loads(message)
    items = decoded.get("open") or decoded.get("items")
    return decoded["type"], items[0]["n"]


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

    assert 0 < len(render.renders) <= 4
    assert await _next(screen) is None  # closed by stop


async def test_hub_renders_only_the_audiences_with_a_screen_in_the_room() -> None:
    render = Counter()
    hub = Hub(MemoryBackend(), render, tick_seconds=0.02)
    await hub.start()
    participant = Screen("participant", 8)
    await hub.join(1, participant)
    first = await _next(participant)
    moderator_body_before = hub.current_body(1, "moderator")

    moderator = Screen("moderator", 8)
    await hub.join(1, moderator)
    await hub.notify(1)
    to_moderator, to_participant = await _next(moderator), await _next(participant)
    await hub.leave(1, moderator)
    await hub.notify(1)
    await _next(participant)
    moderator_body_after = hub.current_body(1, "moderator")
    await hub.stop()

    assert render.asked[0] == {"participant"}
    assert {"participant", "moderator"} in render.asked
    assert render.asked[-1] == {"participant"}
    # The moderator, absent until then, gets the whole queue; the participant a diff.
    assert _n(first)[0] == "queue"
    assert (_n(to_moderator)[0], _n(to_participant)[0]) == ("queue", "queue_diff")
    # No stale body is kept for an audience no longer rendered: a joining screen renders anew.
    assert (moderator_body_before, moderator_body_after) == (None, None)


async def test_hub_sends_each_audience_its_own_string() -> None:
    render = Counter()
    hub = Hub(MemoryBackend(), render, tick_seconds=0.02)
    await hub.start()
    participant, moderator = Screen("participant", 8), Screen("moderator", 8)
    await hub.join(1, participant)
    await hub.join(1, moderator)

    first_p, first_m = await _next(participant), await _next(moderator)
    await hub.notify(1)
    then_p = await _next(participant)
    await hub.stop()

    assert (_n(first_p), _n(first_m), _n(then_p)) == (("queue", 1), ("queue", 1), ("queue_diff", 2))


@contextlib.asynccontextmanager
async def _two_workers() -> AsyncIterator[tuple[Hub, Counter, Hub, Counter]]:
    """Two hubs on Redis, as two worker processes would have, each with its own renders."""
    assert REDIS_URL is not None
    render_a, render_b = Counter(), Counter()
    hub_a = Hub(RedisBackend(REDIS_URL), render_a, tick_seconds=0.02)
    hub_b = Hub(RedisBackend(REDIS_URL), render_b, tick_seconds=0.02)
    await hub_a.start()
    await hub_b.start()
    try:
        yield hub_a, render_a, hub_b, render_b
    finally:
        await hub_a.stop()
        await hub_b.stop()


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="TOWNHALL_TEST_REDIS_URL is not set")
async def test_hub_redis_carries_a_change_to_another_process() -> None:
    async with _two_workers() as (hub_a, render_a, hub_b, _):
        watcher = Screen("participant", 8)
        event_id = 900_000 + os.getpid()
        await hub_b.join(event_id, watcher)
        await _next(watcher)  # the join itself renders once
        await asyncio.sleep(0.2)  # let hub_b's subscription land

        await hub_a.notify(event_id)
        update = await _next(watcher)

    assert _n(update) == ("queue_diff", 2)
    assert render_a.renders == []  # hub_a has no screens for the event: it renders nothing


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="TOWNHALL_TEST_REDIS_URL is not set")
async def test_a_rows_notice_tells_every_worker_which_questions_alone_changed() -> None:
    async with _two_workers() as (hub_a, render_a, hub_b, render_b):
        here, there = Screen("participant", 8), Screen("participant", 8)
        event_id = 700_000 + os.getpid()
        await hub_a.join(event_id, here)
        await hub_b.join(event_id, there)
        await _next(here)
        await _next(there)  # the joins render in full
        await asyncio.sleep(0.2)  # let the subscriptions land

        await hub_a.notify_rows(event_id, {7, 3})
        await _next(here)
        await _next(there)
        hub_a._mark_rows(event_id, {5})
        hub_a._mark(event_id)  # a change of anything else in the same tick: in full
        await _next(here)

    assert render_a.changed == [None, frozenset({3, 7}), None]
    assert render_b.changed == [None, frozenset({3, 7})]


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="TOWNHALL_TEST_REDIS_URL is not set")
async def test_presence_counts_screens_across_workers_and_forgets_dead_ones() -> None:
    assert REDIS_URL is not None
    event_id = 800_000 + os.getpid()
    one, two = RedisBackend(REDIS_URL), RedisBackend(REDIS_URL)
    await one.connect()
    await two.connect()

    await one.report_presence(event_id, "worker-1", 3, ttl=0.5)
    both = await two.report_presence(event_id, "worker-2", 4, ttl=5)
    await asyncio.sleep(0.6)  # worker-1 stops reporting, as a dead worker would
    after = await two.report_presence(event_id, "worker-2", 4, ttl=5)
    await one.disconnect()
    await two.disconnect()

    assert (both, after) == (7, 4)


async def test_hub_ticker_outlives_a_body_it_cannot_send(caplog: pytest.LogCaptureFixture) -> None:
    render = Counter()

    async def flaky(
        event_id: int, online: int, audiences: frozenset[str], changed: frozenset[int] | None
    ) -> Mapping[str, Any]:
        bodies = await render(event_id, online, audiences, changed)
        if len(render.renders) == 2:  # not a queue body: the diff cannot be made
            return {"participant": {"open": "garbled"}}
        return bodies

    hub = Hub(MemoryBackend(), flaky, tick_seconds=0.02)
    await hub.start()
    screen = Screen("participant", 8)
    await hub.join(1, screen)
    first = await _next(screen)
    await hub.notify(1)
    await asyncio.sleep(0.1)
    await hub.notify(1)
    later = await _next(screen)
    await hub.stop()

    assert (_n(first), _n(later)) == (("queue", 1), ("queue", 3))
    assert "sending event 1 failed" in caplog.text


async def _fan_out_to(screens: int, watcher_runs: list[int]) -> None:
    hub = Hub(MemoryBackend(), Counter(), tick_seconds=1.0)
    room_screens = [Screen("participant", outbox_limit=4) for _ in range(screens)]
    for screen in room_screens:
        await hub.join(1, screen)
    room = hub._rooms[1]

    async def watcher() -> None:
        while True:
            watcher_runs.append(1)
            await asyncio.sleep(0)

    task = asyncio.create_task(watcher())
    await asyncio.sleep(0)
    watcher_runs.clear()
    await hub._fan_out(room, "participant", {"open": [{"id": 1, "n": 1}]})
    task.cancel()
    assert all(screen.outbox.in_step for screen in room_screens)


async def test_a_long_fan_out_lets_other_work_run_between_slices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("townhall.live.hub.FAN_OUT_SLICE_SECONDS", 0.0)
    runs: list[int] = []

    await _fan_out_to(1000, runs)

    assert len(runs) >= 1000 // 64 - 1


async def test_a_short_fan_out_is_not_cut_into_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("townhall.live.hub.FAN_OUT_SLICE_SECONDS", 60.0)
    runs: list[int] = []

    await _fan_out_to(1000, runs)

    assert runs == []
