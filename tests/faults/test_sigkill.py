"""`kill -9` of the server in the middle of a vote burst loses no acknowledged action, stores
none twice, and a restart on the same database takes every retry exactly once."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from conftest import Database, _free_port, seed
from faults.ledger import assert_each_ack_stored_once
from faults.voters import Voter
from processes import ServerProcess

VOTERS = 12
BURST_ACKS = 150  # kill once this many actions were acknowledged (or after MAX_BURST_SECONDS)
MAX_BURST_SECONDS = 10.0

# Limits high enough that the burst is never slowed down or refused by them.
BURST_SETTINGS = {
    "TOWNHALL_RATE_ACTIONS": "100000/10seconds",
    "TOWNHALL_RATE_FRAMES": "100000/10seconds",
    "TOWNHALL_RATE_QUESTIONS": "100000/minute",
    "TOWNHALL_TICK_SECONDS": "0.1",
}


def burst_server(database: Database, tmp_path: Path) -> ServerProcess:
    return ServerProcess(
        _free_port(),
        {"TOWNHALL_DATABASE_URL": database.url, **BURST_SETTINGS},
        tmp_path / "server.log",
    )


def voters_for(server: ServerProcess, slug: str) -> list[Voter]:
    pool: list[int] = []
    return [
        Voter(server.base_url, server.ws_url, slug, f"v{n}", pool, random.Random(n))
        for n in range(VOTERS)
    ]


async def test_sigkill_mid_burst_keeps_every_ack_exactly_once(
    process_database: Database, tmp_path: Path
) -> None:
    demo = await seed(process_database)
    server = burst_server(process_database, tmp_path)
    voters = voters_for(server, demo.slug)
    server.start()
    try:
        await server.ready()
        await asyncio.gather(*(voter.connect() for voter in voters))
        stop = asyncio.Event()
        bursts = [asyncio.create_task(voter.burst(stop)) for voter in voters]
        for _ in range(int(MAX_BURST_SECONDS / 0.05)):
            if sum(len(voter.answers) for voter in voters) >= BURST_ACKS:
                break
            await asyncio.sleep(0.05)

        server.kill()  # while every voter has an action in flight
        await asyncio.wait_for(asyncio.gather(*bursts), 30)
        before = sum(len(voter.acked()) for voter in voters)
        in_flight = [cid for voter in voters for cid in voter.unsettled()]
        assert before >= 20, server.output()
        assert in_flight != []

        server.start()
        await server.ready()
        for voter in voters:
            await voter.close()
            await voter.connect()
        retried = [answer for voter in voters for answer in await voter.settle()]
        # Sent once more, the same client ids are answered from their receipts.
        again = [
            await voter.act(cid)
            for voter in voters
            for cid in in_flight
            if voter.answers.get(cid, {}).get("type") == "ack"
        ]
    finally:
        for voter in voters:
            await voter.close()
        server.stop()

    assert {answer["type"] for answer in retried} <= {"ack", "refused"}
    assert again != []
    assert all(answer is not None and answer["replayed"] for answer in again), again
    await assert_each_ack_stored_once(process_database, voters)
