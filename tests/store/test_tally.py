"""A group commit's figures: statements and round trips on the committer's connection only."""

from __future__ import annotations

import asyncio

from conftest import Database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.store.committer import GroupCommitter
from townhall.store.db import create_engine, session_factory
from townhall.store.tally import Tally


async def test_tally_counts_the_statements_of_a_lone_work_and_its_round_trips(
    database: Database,
) -> None:
    engine = create_engine(database.url, schema=database.schema)
    seen: list[Tally] = []
    committer = GroupCommitter(session_factory(engine, write=True), observe=seen.append)
    await committer.start()

    async def work(session: AsyncSession) -> int:
        await session.execute(text("SELECT 1"))
        return int(await session.scalar(text("SELECT 2")) or 0)

    try:
        assert await committer.run(work, kind="votes", size=3) == 2
        async with session_factory(engine)() as reader:  # not the committer's: not counted
            await reader.execute(text("SELECT 3"))
    finally:
        await committer.stop()
        await engine.dispose()

    [tally] = seen
    assert (tally.statements, tally.round_trips, tally.actions, tally.kinds) == (
        2,
        4,  # the connection and its BEGIN, two statements, the COMMIT
        3,
        {"votes": 3},
    )
    assert tally.wall >= tally.db_wait > 0
    assert "2 statements" in tally.parts()


async def test_tally_of_a_group_counts_each_works_savepoint(database: Database) -> None:
    engine = create_engine(database.url, schema=database.schema)
    seen: list[Tally] = []
    committer = GroupCommitter(session_factory(engine, write=True), observe=seen.append)
    await committer.start()

    async def work(session: AsyncSession) -> None:
        await session.execute(text("SELECT 1"))

    try:
        await asyncio.gather(*(committer.run(work, kind="votes") for _ in range(3)))
    finally:
        await committer.stop()
        await engine.dispose()

    # One group; SAVEPOINT, SELECT and RELEASE per work, as they share the transaction.
    assert [(t.actions, t.statements, t.round_trips) for t in seen] == [(3, 9, 11)]
