"""Redis going away: each worker keeps serving its own screens and catches up on return."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from townhall.live.backends import RedisBackend
from townhall.live.hub import Hub, Screen

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A Redis of this test's own, so stopping it harms nobody else."""
    assert REDIS_SERVER is not None
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


class Renders:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(
        self,
        event_id: int,
        online: int,
        audiences: frozenset[str] = frozenset(),
        changed: frozenset[int] | None = None,
    ) -> Mapping[str, dict[str, Any]]:
        self.count += 1
        return {"participant": {"now_answering": None, "open": [{"id": 1, "n": self.count}]}}


async def _latest(screen: Screen, within: float) -> dict[str, Any]:
    message = await asyncio.wait_for(screen.outbox.get(), within)
    assert message is not None
    decoded: dict[str, Any] = json.loads(message)
    return decoded


async def test_hub_survives_redis_outage_and_catches_up() -> None:
    port = _port()
    url = f"redis://127.0.0.1:{port}/0"
    one = Hub(RedisBackend(url), Renders(), tick_seconds=0.02)
    two = Hub(RedisBackend(url), Renders(), tick_seconds=0.02)
    try:
        with private_redis(port) as first_run:
            await one.start()
            await two.start()
            here, there = Screen("participant", 16), Screen("participant", 16)
            await one.join(5, here)
            await two.join(5, there)
            await _latest(here, 2)
            await _latest(there, 2)
            first_run.terminate()
            first_run.wait(timeout=10)

            await one.notify(5)  # Redis is down: the publish fails, local screens still follow
            local = await _latest(here, 2)

        with private_redis(port):
            # Two reconnects and refreshes its rooms; its retries back off to 10 s apart, and
            # on a loaded machine the outage above can last several of them.
            caught_up = await _latest(there, 30)
    finally:  # a hub left running would log its failures into later tests
        await one.stop()
        await two.stop()

    assert local["type"] == "queue_diff"
    assert caught_up["type"] == "queue_diff"
