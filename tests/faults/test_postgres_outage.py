"""PostgreSQL goes away during voting and comes back: the server serves again by itself, and
it never acknowledged an action that was not committed.

The database "restarts" behind a TCP proxy (tests/faults/proxy.py): every connection is cut
and new ones are refused for a while, then let through, as clients keep voting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import POSTGRES_URL, Database, seed
from faults.ledger import assert_each_ack_stored_once
from faults.proxy import CuttableProxy
from faults.test_sigkill import burst_server, voters_for
from faults.voters import Sent, Voter
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from townhall.store.db import create_engine, session_factory
from townhall.store.tables import Question

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TOWNHALL_TEST_POSTGRES_URL"),
]

OUTAGE_SECONDS = 2.5


def acked(voters: list[Voter]) -> int:
    return sum(len(voter.acked()) for voter in voters)


def answers(voters: list[Voter]) -> dict[str, dict[str, Any]]:
    return {cid: answer for voter in voters for cid, answer in voter.answers.items()}


async def until(condition: Callable[[], bool], within: float) -> None:
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)


async def pending_questions(database: Database) -> int:
    engine = create_engine(database.url)
    try:
        async with session_factory(engine)() as session:
            query = select(func.count()).where(Question.dedup_state == "pending")
            return int((await session.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def test_postgres_outage_mid_burst_recovers_without_restart_and_acks_only_commits(
    postgres_process_database: Database, tmp_path: Path
) -> None:
    database = postgres_process_database
    demo = await seed(database)
    target = make_url(database.url)
    proxy = CuttableProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    through_proxy = target.set(host="127.0.0.1", port=proxy.port)
    server = burst_server(
        Database(through_proxy.render_as_string(hide_password=False), None, "postgres"), tmp_path
    )
    voters = voters_for(server, demo.slug)
    server.start()
    stop = asyncio.Event()
    try:
        await server.ready()
        await asyncio.gather(*(voter.connect() for voter in voters))
        bursts = [asyncio.create_task(voter.burst(stop)) for voter in voters]
        await until(lambda: acked(voters) >= 60, within=20)

        await proxy.cut()
        before = answers(voters)
        await asyncio.sleep(OUTAGE_SECONDS)
        during = [a for cid, a in answers(voters).items() if cid not in before]
        await proxy.start()
        back_at = acked(voters)
        await until(lambda: acked(voters) >= back_at + 100, within=30)
        after = acked(voters) - back_at

        stop.set()
        await asyncio.wait_for(asyncio.gather(*bursts), 30)
        alive = server.process is not None and server.process.poll() is None
        for voter in voters:
            await voter.settle()
        # A screen that connects now gets its snapshot (reads and the hub work again) ...
        late = Voter(
            server.base_url, server.ws_url, demo.slug, "late", voters[0].pool, voters[0].rng
        )
        await late.connect()
        late.sent["late-1"] = Sent("vote", {"question_id": voters[0].pool[0]})
        late_answer = await late.act("late-1")
        await late.close()
        # ... and the dedup worker decides every question, those asked around the outage too.
        for _ in range(40 * 4):
            if await pending_questions(database) == 0:
                break
            await asyncio.sleep(0.25)
        pending = await pending_questions(database)
    finally:
        stop.set()
        for voter in voters:
            await voter.close()
        server.stop()
        await proxy.close()

    assert alive, server.output()
    # Voters kept voting through the outage and were told it failed (acks there are commits
    # that completed as the connections were cut; the ledger below checks each is stored).
    assert "internal" in {answer.get("code") for answer in during}, during
    assert after >= 100, server.output()
    assert late_answer is not None and late_answer["type"] == "ack", late_answer
    assert pending == 0
    await assert_each_ack_stored_once(database, [*voters, late])
