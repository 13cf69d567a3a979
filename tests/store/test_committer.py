"""Group commit: a lone work commits or fails on its own; on PostgreSQL a work chosen as a
deadlock's victim is tried again; a group whose transaction fails is split until only the
work at fault fails."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from conftest import POSTGRES_URL, Database, seed
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.store.committer import CommitFailed, GroupCommitter
from townhall.store.db import create_engine, session_factory
from townhall.store.queries import event_by_slug
from townhall.store.tables import Participant, Question, Vote


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TOWNHALL_TEST_POSTGRES_URL")
async def test_committer_retries_a_work_that_lost_a_deadlock(
    postgres_database: Database,
) -> None:
    demo = await seed(postgres_database)
    engine = create_engine(postgres_database.url, schema=postgres_database.schema)
    writes = session_factory(engine, write=True)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    async with writes() as session, session.begin():
        event = await event_by_slug(session, demo.slug)
        assert event is not None
        session.add(Participant(id="asker", created_at=now))
        pair = [
            Question(event_id=event.id, author_id="asker", text=t, status="open", created_at=now)
            for t in ("First?", "Second?")
        ]
        session.add_all(pair)
        await session.flush()
        first, second = (question.id for question in pair)
    committer = GroupCommitter(writes)
    await committer.start()
    other_has_second = asyncio.Event()
    work_waits = asyncio.Event()
    attempts = 0

    async def bump(session: AsyncSession, question_id: int) -> None:
        await session.execute(
            update(Question)
            .where(Question.id == question_id)
            .values(supporters=Question.supporters + 1)
        )

    async def work(session: AsyncSession) -> int:
        nonlocal attempts
        attempts += 1
        await bump(session, first)
        await other_has_second.wait()
        if attempts == 1:
            asyncio.get_running_loop().call_later(0.2, work_waits.set)
        await bump(session, second)  # first attempt: waits on the other, then loses
        return attempts

    async def other() -> None:
        async with writes() as session, session.begin():
            await bump(session, second)
            other_has_second.set()
            await work_waits.wait()
            await session.execute(text("SELECT 1"))
            await bump(session, first)  # closes the cycle

    outcome, _ = await asyncio.gather(committer.run(work), other(), return_exceptions=True)
    await committer.stop()
    async with session_factory(engine)() as session:
        counts = dict((await session.execute(select(Question.id, Question.supporters))).all())
    await engine.dispose()

    assert outcome == 2
    assert (counts[first], counts[second]) == (2, 2)


async def test_committer_lone_work_fails_with_its_own_error_and_stores_nothing(
    database: Database,
) -> None:
    engine = create_engine(database.url, schema=database.schema)
    writes = session_factory(engine, write=True)
    committer = GroupCommitter(writes)
    await committer.start()
    now = datetime(2026, 12, 2, tzinfo=UTC)

    async def store_then_fail(session: AsyncSession) -> None:
        await session.execute(insert(Participant).values(id="half-way", created_at=now))
        raise ValueError("refused after writing")

    async def store(session: AsyncSession) -> str:
        await session.execute(insert(Participant).values(id="whole", created_at=now))
        return "stored"

    with pytest.raises(ValueError, match="refused after writing"):
        await committer.run(store_then_fail)
    stored = await committer.run(store)
    await committer.stop()
    async with session_factory(engine)() as session:
        ids = list(await session.scalars(select(Participant.id).order_by(Participant.id)))
    await engine.dispose()

    assert stored == "stored"
    assert ids == ["whole"]


async def _fail_at_commit(session: AsyncSession) -> None:
    """Below any schema: a write the database accepts now and refuses at COMMIT (a deferred
    constraint), so the shared transaction fails, not this work's savepoint."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("PRAGMA defer_foreign_keys = ON"))
        await session.execute(
            insert(Vote).values(
                question_id=2_000_000_000,
                participant_id="nobody",
                created_at=datetime(2026, 12, 2, tzinfo=UTC),
            )
        )
    else:
        await session.execute(
            text(
                "CREATE TEMPORARY TABLE IF NOT EXISTS poison "
                "(n integer UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP"
            )
        )
        await session.execute(text("INSERT INTO poison VALUES (1), (1)"))


async def test_committer_group_failing_at_commit_fails_only_the_work_at_fault(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(database.url, schema=database.schema)
    committer = GroupCommitter(session_factory(engine, write=True), max_batch=2000)
    now = datetime(2026, 12, 2, tzinfo=UTC)
    runs: Counter[int] = Counter()

    def honest(n: int) -> Callable[[AsyncSession], Awaitable[int]]:
        async def work(session: AsyncSession) -> int:
            runs[n] += 1
            await session.execute(insert(Participant).values(id=f"p{n:04d}", created_at=now))
            return n

        return work

    works = [honest(n) for n in range(999)]
    works.insert(400, _fail_at_commit)
    # Queued before the committer starts, so that all 1,000 share one group transaction.
    pending = [asyncio.ensure_future(committer.run(work)) for work in works]
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="townhall.store.committer"):
        await committer.start()
        outcomes = await asyncio.gather(*pending, return_exceptions=True)
    await committer.stop()
    async with session_factory(engine)() as session:
        ids = list(await session.scalars(select(Participant.id).order_by(Participant.id)))
        votes = await session.scalar(select(func.count()).select_from(Vote))
    await engine.dispose()

    assert [n for n, outcome in enumerate(outcomes) if isinstance(outcome, BaseException)] == [400]
    assert isinstance(outcomes[400], CommitFailed)
    assert [o for o in outcomes if not isinstance(o, BaseException)] == list(range(999))
    assert ids == [f"p{n:04d}" for n in range(999)]
    assert votes == 0
    assert committer.actions == 999
    assert min(runs.values()) >= 2  # the first, shared attempt was rolled back for everyone
    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR"]  # the group, the work
