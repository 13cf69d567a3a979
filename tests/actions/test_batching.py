"""Batchers: a batch stays open a moment after its first request, then commits as one; a
batch that fails is split until only the request at fault fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from conftest import Database, seed
from running import RecordingBatcher, Request, running_services
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.asking import QuestionBatcher
from townhall.actions.base import ActionRefused, Actor, Reply, Services
from townhall.actions.batching import FLUSH_SECONDS, MAX_WAIT_SECONDS
from townhall.actions.vote_batcher import MAX_VOTES_PER_BATCH, VOTES_PER_BATCH, VoteBatcher
from townhall.settings import MAX_VOTE_BATCH_SIZE, Settings
from townhall.store.tables import ActionReceipt, Question, Vote


@pytest.fixture
async def services(tmp_path: object) -> AsyncIterator[Services]:
    async with running_services(
        f"sqlite+aiosqlite:///{tmp_path}/batching.db", batchers=False
    ) as services:
        yield services


async def _batches(services: Services, flush_seconds: float, gaps: list[float]) -> list[list[str]]:
    batcher = RecordingBatcher(services, flush_seconds=flush_seconds)
    batcher.batches = []
    await batcher.start()
    replies = []
    for number, gap in enumerate([0.0, *gaps]):
        await asyncio.sleep(gap)
        replies.append(asyncio.create_task(batcher.submit(Request(f"r{number}"))))
    answered = [reply.result["name"] for reply in await asyncio.gather(*replies)]
    await batcher.stop()
    assert answered == [f"r{number}" for number in range(len(gaps) + 1)]
    return batcher.batches


async def test_batch_requests_arriving_while_it_is_open_commit_together(
    services: Services,
) -> None:
    batches = await _batches(services, flush_seconds=0.5, gaps=[0.01, 0.01])

    assert batches == [["r0", "r1", "r2"]]


async def test_batch_request_arriving_after_it_closed_waits_for_the_next(
    services: Services,
) -> None:
    batches = await _batches(services, flush_seconds=0.01, gaps=[0.2])

    assert batches == [["r0"], ["r1"]]


def test_batch_defaults_are_the_settings_defaults() -> None:
    settings = Settings()

    assert (settings.batch_flush_seconds, settings.vote_batch_size, settings.max_wait_seconds) == (
        FLUSH_SECONDS,
        VOTES_PER_BATCH,
        MAX_WAIT_SECONDS,
    )
    assert MAX_VOTE_BATCH_SIZE == MAX_VOTES_PER_BATCH


@dataclass
class Seeded:
    services: Services
    slug: str
    question_ids: list[int]

    async def count(self, model: type, **where: Any) -> int:
        async with self.services.read_sessions() as session:
            query = select(func.count()).select_from(model).filter_by(**where)
            return int(await session.scalar(query) or 0)

    async def counters_match_votes(self) -> dict[int, int]:
        """Each question's counter, checked against its stored votes."""
        async with self.services.read_sessions() as session:
            counters = dict((await session.execute(select(Question.id, Question.supporters))).all())
            stored = dict(
                (
                    await session.execute(
                        select(Vote.question_id, func.count()).group_by(Vote.question_id)
                    )
                ).all()
            )
        assert counters == stored
        return counters


@pytest.fixture
async def seeded(database: Database) -> AsyncIterator[Seeded]:
    """The demo event with two questions, and the app's services (no batchers started)."""
    demo = await seed(database)
    async with running_services(database.url, database.schema, batchers=False) as services:
        asking = QuestionBatcher(services)
        await asking.start()
        asked = [
            await asking.ask(Actor(f"asker-{n}"), demo.slug, "q", text)
            for n, text in enumerate(("Will you reform the Council?", "How will you fund the UN?"))
        ]
        await asking.stop()
        yield Seeded(services, demo.slug, [reply.result["question_id"] for reply in asked])


def _voter(n: int) -> Actor:
    return Actor(f"00000000-0000-4000-8000-{n:012d}")


async def test_vote_batch_with_one_poisoned_request_applies_every_other_once(
    seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    batcher = VoteBatcher(seeded.services, max_batch=MAX_VOTES_PER_BATCH, flush_seconds=0.2)
    await batcher.start()
    one, two = seeded.question_ids
    honest = [
        batcher.vote(_voter(n), seeded.slug, f"v{n}", one if n % 3 else two) for n in range(999)
    ]
    # Below the schema: an id no INTEGER column holds makes the database raise.
    poisoned = batcher.vote(_voter(5000), seeded.slug, "poison", 2**63)
    # A retry of voter 7's vote that lands in the other half of every split: applied once.
    retry = batcher.vote(_voter(7), seeded.slug, "v7", one)
    commits = seeded.services.committer.commits

    with caplog.at_level(logging.ERROR, logger="townhall.actions.batching"):
        replies = await asyncio.gather(
            *honest[:500], poisoned, *honest[500:], retry, return_exceptions=True
        )
    await batcher.stop()

    failed = [n for n, reply in enumerate(replies) if not isinstance(reply, Reply)]
    assert failed == [500]
    applied = [reply for reply in replies if isinstance(reply, Reply) and not reply.replayed]
    assert len(applied) == 999
    assert all(reply.result["voted"] for reply in applied)
    first, retried = replies[7], replies[-1]
    assert isinstance(first, Reply) and not first.replayed
    assert retried == Reply("vote", "v7", first.result, replayed=True)
    assert await seeded.count(Vote) == 999 + 2  # and the askers' own
    assert await seeded.count(ActionReceipt) == 999 + 2
    assert await seeded.counters_match_votes() == {one: 1 + 666, two: 1 + 333}
    assert seeded.services.committer.commits > commits
    culprits = [r for r in caplog.records if "poison" in r.getMessage()]
    assert len(culprits) == 1 and culprits[0].exc_info is not None


async def test_question_batch_with_one_poisoned_request_stores_every_other_once(
    seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    batcher = QuestionBatcher(seeded.services, max_batch=2000, flush_seconds=0.2)
    await batcher.start()
    honest = [
        batcher.ask(_voter(n), seeded.slug, f"q{n}", f"Question number {n} about the Council?")
        for n in range(999)
    ]
    # Below the schema: a client id the database driver cannot encode (a lone surrogate).
    poisoned = batcher.ask(_voter(5000), seeded.slug, "poison\ud800", "What about the budget?")
    questions_before = await seeded.count(Question)

    with caplog.at_level(logging.ERROR, logger="townhall.actions.batching"):
        replies = await asyncio.gather(
            *honest[:300], poisoned, *honest[300:], return_exceptions=True
        )
    await batcher.stop()

    failed = [n for n, reply in enumerate(replies) if not isinstance(reply, Reply)]
    assert failed == [300]
    stored = [reply.result["question_id"] for reply in replies if isinstance(reply, Reply)]
    assert len(set(stored)) == 999
    assert await seeded.count(Question) == questions_before + 999
    assert await seeded.count(Vote) == questions_before + 999
    assert await seeded.count(ActionReceipt) == questions_before + 999
    counters = await seeded.counters_match_votes()
    assert {counters[question_id] for question_id in stored} == {1}
    culprits = [r for r in caplog.records if "poison" in r.getMessage()]
    assert len(culprits) == 1 and culprits[0].exc_info is not None


class HeldBatcher(RecordingBatcher):
    """Its commits wait until the test lets them go: a database slower than the arrivals."""

    release: asyncio.Event

    async def store(
        self, session: AsyncSession, requests: list[Request], now: datetime, known: set[str]
    ) -> set[str]:
        await self.release.wait()
        return await super().store(session, requests, now, known)


async def test_batcher_refuses_busy_once_a_full_batch_waited_max_wait(
    services: Services,
) -> None:
    batcher = HeldBatcher(services, max_batch=2, flush_seconds=0.0, max_wait=0.05)
    batcher.batches, batcher.release = [], asyncio.Event()
    await batcher.start()
    committing = asyncio.create_task(batcher.submit(Request("committing")))
    await asyncio.sleep(0.02)  # the first request is taken into a batch, which is held
    waiting = asyncio.create_task(batcher.submit(Request("waiting")))
    await asyncio.sleep(0.1)  # older than max_wait, but the next batch has room: accepted
    joined = asyncio.create_task(batcher.submit(Request("joined")))
    await asyncio.sleep(0.01)  # now a full batch waits, its oldest for longer than max_wait

    with pytest.raises(ActionRefused) as refused:
        await batcher.submit(Request("refused"))
    batcher.release.set()
    answered = [r.result["name"] for r in await asyncio.gather(committing, waiting, joined)]
    accepted_after = await batcher.submit(Request("after"))
    await batcher.stop()

    assert (refused.value.code, refused.value.status, refused.value.details) == (
        "busy",
        503,
        {"retry_after_ms": 50},
    )
    assert answered == ["committing", "waiting", "joined"]
    assert accepted_after.result["name"] == "after"
    assert batcher.batches == [["committing"], ["waiting", "joined"], ["after"]]
    assert batcher.refused_busy == 1
