"""Draining on SIGTERM (`TOWNHALL_SHUTDOWN_DRAIN_SECONDS`): the server turns unready at once
and keeps serving; a second SIGTERM stops it."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import httpx
from conftest import Database
from processes import ServerProcess


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_drain_turns_unready_on_sigterm_and_keeps_serving_until_the_second(
    sqlite_database: Database, tmp_path: Path
) -> None:
    server = ServerProcess(
        _free_port(),
        {
            "TOWNHALL_DATABASE_URL": sqlite_database.url,
            "TOWNHALL_SHUTDOWN_DRAIN_SECONDS": "600",  # longer than the test: no race
        },
        tmp_path / "server.log",
    )
    server.start()
    try:
        await server.ready()
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            before = await http.get("/readyz")
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            during = await http.get("/readyz")
            while during.status_code == 200:  # the signal is handled between two requests
                await asyncio.sleep(0.05)
                during = await http.get("/readyz")
            alive = await http.get("/healthz")
        server.process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.process.wait, 60)
    finally:
        server.stop()

    assert before.status_code == 200
    assert (during.status_code, during.json()["checks"]["shutdown"]) == (503, "shutting down")
    assert alive.status_code == 200
    assert code in (0, -signal.SIGTERM)
