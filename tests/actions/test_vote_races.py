"""A vote batch racing a change of group or of counted support, on PostgreSQL.

Under READ COMMITTED another transaction can commit between two statements of a vote batch.
Each test stops a batch at one point (after its reads, before it writes or commits), runs a
merge, an unmerge, a set-aside or a restore in a second session meanwhile, and lets the batch
go on once that one has committed or is waiting for a lock the batch holds. Every counter must
then equal the exact recount. SQLite needs no such test: a writer holds the only write lock
from BEGIN IMMEDIATE to COMMIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from conftest import POSTGRES_URL, postgres_schema, seed
from sqlalchemy import Delete, Insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from townhall.actions.asking import QuestionRequest, apply_questions
from townhall.actions.base import Actor, Reply
from townhall.actions.votes import VoteRequest, apply_votes
from townhall.domain.questions import Status
from townhall.store import merging, provenance
from townhall.store.committer import is_transient
from townhall.store.db import SessionFactory, create_engine, session_factory
from townhall.store.queries import count_supporters
from townhall.store.tables import Event, Question, SupportSetAside

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TOWNHALL_TEST_POSTGRES_URL"),
]

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
OTHER = "c" * 32
BURST = "b" * 32
Step = Callable[[AsyncSession], Awaitable[Any]]


@dataclass
class World:
    sessions: SessionFactory
    slug: str
    event_id: int

    async def ask(self, author: str, wording: str) -> int:
        async with self.sessions() as session, session.begin():
            request = QuestionRequest(Actor(author), self.slug, f"ask-{author}", wording)
            await apply_questions(session, [request], NOW, set())
            assert isinstance(request.outcome, Reply)
            question_id = int(request.outcome.result["question_id"])
            await session.execute(
                update(Question).filter_by(id=question_id).values(status=Status.OPEN.value)
            )
            return question_id

    async def vote(
        self, voter: str, question_id: int, kind: str = "vote", net: str = OTHER
    ) -> None:
        async with self.sessions() as session, session.begin():
            request = VoteRequest(
                Actor(voter, network=net), self.slug, uuid.uuid4().hex, question_id, kind
            )
            await apply_votes(session, [request], NOW, set())
            assert isinstance(request.outcome, Reply)

    async def counters(self) -> dict[int, tuple[int, int]]:
        """Each question's (stored counter, exact recount); a merged-away wording counts 0."""
        async with self.sessions() as session:
            rows = (await session.execute(select(Question.id, Question.supporters))).all()
            return {qid: (stored, await count_supporters(session, qid)) for qid, stored in rows}


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with postgres_schema() as database:
        demo = await seed(database, moderation_mode="post")
        engine = create_engine(database.url, schema=database.schema)
        sessions = session_factory(engine, write=True)
        try:
            async with sessions() as session:
                event_id = await session.scalar(select(Event.id).filter_by(slug=demo.slug))
            yield World(sessions, demo.slug, int(event_id or 0))
        finally:
            await engine.dispose()


class Paused:
    """The batch's session, stopping once just before the first statement `at` accepts to
    run `meanwhile` (the batch's transaction stays open and keeps its locks)."""

    def __init__(
        self,
        session: AsyncSession,
        at: Callable[[Any], bool],
        meanwhile: Callable[[], Awaitable[None]],
    ) -> None:
        self._session, self._at, self._meanwhile = session, at, meanwhile
        self.stopped = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    async def pause_before(self, statement: Any) -> None:
        if not self.stopped and self._at(statement):
            self.stopped = True
            await self._meanwhile()

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        await self.pause_before(statement)
        return await self._session.execute(statement, *args, **kwargs)

    async def connection(self, *args: Any, **kwargs: Any) -> Any:
        # Bulk inserts run on the session's connection (store/queries.insert_missing).
        return PausedConnection(self, await self._session.connection(*args, **kwargs))


class PausedConnection:
    def __init__(self, paused: Paused, connection: AsyncConnection) -> None:
        self._paused, self._connection = paused, connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        await self._paused.pause_before(statement)
        return await self._connection.execute(statement, *args, **kwargs)


def inserting_votes(statement: Any) -> bool:
    return isinstance(statement, Insert) and statement.table.name == "votes"


def deleting_votes(statement: Any) -> bool:
    return isinstance(statement, Delete) and statement.table.name == "votes"


async def race(
    world: World, requests: list[VoteRequest], at: Callable[[Any], bool] | None, step: Step
) -> None:
    """Run the batch, and `step` in its own transaction while the batch is stopped before the
    statement `at` picks (None: after its last statement, before COMMIT)."""
    other: asyncio.Task[None] | None = None
    pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def run_step() -> None:
        async with world.sessions() as session, session.begin():
            pid.set_result(int(await session.scalar(text("SELECT pg_backend_pid()")) or 0))
            await step(session)

    async def meanwhile() -> None:
        nonlocal other
        other = asyncio.create_task(run_step())
        await _committed_or_waiting(world, other, await pid)

    async with world.sessions() as session, session.begin():
        batch = session if at is None else cast(AsyncSession, Paused(session, at, meanwhile))
        await apply_votes(batch, requests, NOW, set())
        if at is None:
            await meanwhile()
        assert other is not None, "the batch never reached the statement to stop at"
    await asyncio.wait_for(other, 10)


async def race_behind(world: World, requests: list[VoteRequest], step: Step) -> None:
    """Run `step` up to its COMMIT, start the batch, and commit `step` once the batch waits for
    a lock `step` holds: the batch's first read then began before that commit."""
    pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def run_batch() -> None:
        async with world.sessions() as session, session.begin():
            pid.set_result(int(await session.scalar(text("SELECT pg_backend_pid()")) or 0))
            await apply_votes(session, requests, NOW, set())

    async with world.sessions() as session, session.begin():
        await step(session)
        batch = asyncio.create_task(run_batch())
        await _committed_or_waiting(world, batch, await pid)
    await asyncio.wait_for(batch, 10)


async def _committed_or_waiting(world: World, task: asyncio.Task[None], pid: int) -> None:
    """Until `task` has committed, or its backend waits for a lock (a lock the batch holds)."""
    async with world.sessions() as session:
        for _ in range(400):  # at most 10 s
            if task.done():
                task.result()
                return
            waiting = await session.scalar(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
            await session.rollback()  # a fresh snapshot of pg_stat_activity next time
            if waiting == "Lock":
                return
            await asyncio.sleep(0.025)
    raise AssertionError("the concurrent step neither committed nor waited for a lock")


def merge_step(source_id: int, target_id: int) -> Step:
    async def step(session: AsyncSession) -> None:
        source = await session.get(Question, source_id)
        target = await session.get(Question, target_id)
        assert source is not None and target is not None
        await merging.merge(
            session, source, target, score=0.97, actor="dedup", action="auto_merge", now=NOW
        )

    return step


def unmerge_step(question_id: int) -> Step:
    async def step(session: AsyncSession) -> None:
        question = await session.get(Question, question_id)
        assert question is not None
        await merging.unmerge(session, question, actor="moderator:test", now=NOW)

    return step


def vote(voter: str, question_id: int, world: World, kind: str = "vote") -> VoteRequest:
    return VoteRequest(Actor(voter, network=OTHER), world.slug, uuid.uuid4().hex, question_id, kind)


async def test_vote_for_a_wording_merged_away_meanwhile_counts_in_its_new_group(
    world: World,
) -> None:
    kept = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    moved = await world.ask("b1", "Will you publish the envoys' shortlist before the vote?")

    await race(world, [vote("p1", moved, world)], inserting_votes, merge_step(moved, kept))

    assert await world.counters() == {kept: (3, 3), moved: (0, 0)}


async def test_vote_for_the_target_by_a_backer_of_the_merged_wording_counts_once(
    world: World,
) -> None:
    kept = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    moved = await world.ask("b1", "Will you publish the envoys' shortlist before the vote?")
    await world.vote("p1", moved)

    await race(world, [vote("p1", kept, world)], inserting_votes, merge_step(moved, kept))

    assert await world.counters() == {kept: (3, 3), moved: (0, 0)}


async def test_unvote_while_the_backed_wording_is_unmerged_leaves_both_groups_exact(
    world: World,
) -> None:
    kept = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    moved = await world.ask("b1", "Will you publish the envoys' shortlist before the vote?")
    await world.vote("p1", moved)
    async with world.sessions() as session, session.begin():
        await merge_step(moved, kept)(session)

    # p1 withdraws from the group while the wording they backed leaves it.
    await race(world, [vote("p1", kept, world, "unvote")], deleting_votes, unmerge_step(moved))

    assert await world.counters() == {kept: (1, 1), moved: (1, 1)}


async def test_vote_waiting_for_a_merge_counts_a_backer_of_the_merged_wording_once(
    world: World,
) -> None:
    kept = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    moved = await world.ask("b1", "Will you publish the envoys' shortlist before the vote?")
    await world.vote("p1", moved)

    await race_behind(world, [vote("p1", kept, world)], merge_step(moved, kept))

    assert await world.counters() == {kept: (3, 3), moved: (0, 0)}


async def test_unvote_waiting_for_an_unmerge_leaves_both_groups_exact(world: World) -> None:
    kept = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    moved = await world.ask("b1", "Will you publish the envoys' shortlist before the vote?")
    await world.vote("p1", moved)
    async with world.sessions() as session, session.begin():
        await merge_step(moved, kept)(session)

    await race_behind(world, [vote("p1", kept, world, "unvote")], unmerge_step(moved))

    assert await world.counters() == {kept: (1, 1), moved: (2, 2)}


def set_aside_step(world: World, root_id: int, network: str) -> Step:
    async def step(session: AsyncSession) -> None:
        await provenance.set_aside(
            session,
            world.event_id,
            root_id,
            provenance.Selection(network_hash=network),
            actor="moderator:test",
            now=NOW,
        )

    return step


def restore_step() -> Step:
    async def step(session: AsyncSession) -> None:
        decision = await session.scalar(select(SupportSetAside))
        assert decision is not None
        await provenance.restore(session, decision, actor="moderator:test", now=NOW)

    return step


async def test_vote_while_a_burst_is_set_aside_counts_exactly(world: World) -> None:
    question = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    await world.vote("s1", question, net=BURST)

    await race(
        world,
        [vote("p1", question, world)],
        inserting_votes,
        set_aside_step(world, question, BURST),
    )

    assert await world.counters() == {question: (2, 2)}


async def test_unvote_while_that_vote_is_set_aside_counts_exactly(world: World) -> None:
    question = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    await world.vote("s1", question, net=BURST)

    await race(
        world,
        [VoteRequest(Actor("s1", network=BURST), world.slug, "u", question, "unvote")],
        deleting_votes,
        set_aside_step(world, question, BURST),
    )

    assert await world.counters() == {question: (1, 1)}


async def test_vote_while_a_burst_is_restored_counts_exactly(world: World) -> None:
    question = await world.ask("a1", "Will the shortlist of envoys be published before the vote?")
    await world.vote("s1", question, net=BURST)
    async with world.sessions() as session, session.begin():
        await set_aside_step(world, question, BURST)(session)

    await race(world, [vote("p1", question, world)], None, restore_step())

    assert await world.counters() == {question: (3, 3)}


async def test_votes_merges_and_unmerges_running_together_keep_every_counter_exact(
    world: World,
) -> None:
    """A bounded stress run: one session merging and unmerging four wordings, another
    applying batches of votes and unvotes on all of them, each in its own transactions."""
    wordings = [
        await world.ask(f"a{n}", f"Will envoy shortlist number {n} be published before the vote?")
        for n in range(4)
    ]
    shuffle = random.Random(13)
    voters = [f"p{n}" for n in range(8)]

    async def again(step: Step) -> None:
        for _ in range(5):  # as the group committer does with a deadlock victim
            try:
                async with world.sessions() as session, session.begin():
                    await step(session)
                return
            except DBAPIError as error:
                if not is_transient(error):
                    raise
        raise AssertionError("still a lock conflict after 5 tries")

    async def moderate() -> None:
        for _ in range(40):
            source, target = shuffle.sample(wordings, 2)

            async def step(
                session: AsyncSession, source: int = source, target: int = target
            ) -> None:
                question = await session.get(Question, source)
                into = await session.get(Question, target)
                assert question is not None and into is not None
                with contextlib.suppress(merging.MergeRefused):
                    if question.canonical_id is None:
                        await merging.merge(
                            session, question, into, score=0.9, actor="dedup", action="m", now=NOW
                        )
                    else:
                        await merging.unmerge(session, question, actor="moderator:t", now=NOW)

            await again(step)

    async def vote_in_batches() -> None:
        for _ in range(40):
            batch = [
                vote(shuffle.choice(voters), shuffle.choice(wordings), world, kind)
                for kind in shuffle.choices(["vote", "vote", "unvote"], k=12)
            ]

            async def step(session: AsyncSession, batch: list[VoteRequest] = batch) -> None:
                for request in batch:
                    request.outcome = None
                await apply_votes(session, batch, NOW, set())

            await again(step)

    await asyncio.wait_for(asyncio.gather(moderate(), vote_in_batches()), 60)

    counters = await world.counters()
    assert {qid: stored for qid, (stored, _) in counters.items()} == {
        qid: exact for qid, (_, exact) in counters.items()
    }
