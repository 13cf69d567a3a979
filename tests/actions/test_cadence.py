"""When batches close: just before the hub's next tick, so that a tick's votes commit once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from conftest import Database, seed
from running import RecordingBatcher, Request, running_services

from townhall.actions.asking import QuestionBatcher
from townhall.actions.base import Actor, Reply, Services
from townhall.actions.cadence import BeforeTick, FixedWindow
from townhall.actions.vote_batcher import VoteBatcher
from townhall.settings import Settings


def _before(tick: float, period: float = 0.2) -> BeforeTick:
    return BeforeTick(lambda: tick, period, minimum_lead=0.02)


def test_a_batch_closes_its_lead_before_the_next_tick() -> None:
    closing = _before(tick=10.0)

    assert closing.closes_at(arrived=9.9, now=9.9) == pytest.approx(9.98)


def test_a_batch_too_late_for_a_tick_closes_before_the_one_after() -> None:
    closing = _before(tick=10.0)

    # 10 ms before the tick, inside the 20 ms lead: that tick cannot show it anyway.
    assert closing.closes_at(arrived=9.99, now=9.99) == pytest.approx(10.18)


def test_a_batch_closes_before_the_first_tick_the_ticker_has_not_scheduled_yet() -> None:
    closing = _before(tick=0.0)

    assert closing.closes_at(arrived=5.05, now=5.05) == pytest.approx(5.18)


def test_a_batch_whose_first_request_waited_a_tick_closes_at_once() -> None:
    """Under load the previous batch took longer than a tick: no more waiting."""
    closing = _before(tick=10.0)

    assert closing.closes_at(arrived=9.5, now=9.9) == pytest.approx(9.7)
    assert closing.closes_at(arrived=9.5, now=9.9) < 9.9


def test_the_lead_follows_how_long_batches_take_up_to_half_a_tick() -> None:
    closing = _before(tick=10.0)
    closing.observe(0.03)
    assert closing.lead == pytest.approx(0.06)
    assert closing.closes_at(arrived=9.9, now=9.9) == pytest.approx(9.94)
    for _ in range(50):
        closing.observe(1.0)
    assert closing.lead == pytest.approx(0.1)


def test_a_fixed_window_closes_after_its_seconds() -> None:
    assert FixedWindow(0.05).closes_at(arrived=3.0, now=3.01) == pytest.approx(3.05)


def test_batches_close_before_the_tick_unless_told_otherwise() -> None:
    assert Settings().batch_before_tick is True
    assert Settings.from_env({"TOWNHALL_BATCH_BEFORE_TICK": "false"}).batch_before_tick is False


@pytest.fixture
async def services(database: Database) -> AsyncIterator[tuple[Services, str, int]]:
    demo = await seed(database)
    async with running_services(database.url, database.schema, batchers=False) as services:
        asking = QuestionBatcher(services)
        await asking.start()
        asked = await asking.ask(Actor("asker"), demo.slug, "q", "Will you reform the Council?")
        await asking.stop()
        yield services, demo.slug, asked.result["question_id"]


async def test_a_ticks_votes_and_questions_commit_in_one_transaction_before_it(
    services: tuple[Services, str, int],
) -> None:
    served, slug, question_id = services
    loop = asyncio.get_running_loop()
    # Room for a loaded machine (CI runs tests two at a time): the batch closes 0.2 s before
    # a tick 0.8 s away, the votes arrive within the first 0.15 s.
    period = 1.0
    first_tick = loop.time() + 0.8
    closing = BeforeTick(lambda: first_tick, period, minimum_lead=0.2)
    votes = VoteBatcher(served, closing=closing)
    asking = QuestionBatcher(served, closing=closing)
    await votes.start()
    await asking.start()
    commits = served.committer.commits
    try:
        pending = []
        for n in range(6):  # spread over the 120 ms before the first tick's batch closes
            voter = Actor(f"00000000-0000-4000-8000-{n:012d}")
            pending.append(asyncio.create_task(votes.vote(voter, slug, f"v{n}", question_id)))
            await asyncio.sleep(0.02)
        pending.append(
            asyncio.create_task(asking.ask(Actor("asker-2"), slug, "q2", "How will you fund it?"))
        )
        replies = await asyncio.gather(*pending)
        answered_at = loop.time()
    finally:
        await votes.stop()
        await asking.stop()

    assert all(isinstance(reply, Reply) and not reply.replayed for reply in replies)
    assert served.committer.commits == commits + 1
    assert answered_at < first_tick  # in time for the tick that shows them
    assert replies[-2].result["votes"] == 1 + 6  # the asker's own vote and the six


async def test_a_full_batch_closes_at_once_whatever_the_tick(tmp_path: object) -> None:
    async with running_services(
        f"sqlite+aiosqlite:///{tmp_path}/full.db", batchers=False
    ) as served:
        loop = asyncio.get_running_loop()
        far = loop.time() + 60
        batcher = RecordingBatcher(served, max_batch=3, closing=BeforeTick(lambda: far, 120.0))
        batcher.batches = []
        await batcher.start()
        try:
            replies = await asyncio.wait_for(
                asyncio.gather(*(batcher.submit(Request(f"r{n}")) for n in range(3))), 5
            )
        finally:
            await batcher.stop()

    assert [reply.client_id for reply in replies] == ["r0", "r1", "r2"]
    assert batcher.batches == [["r0", "r1", "r2"]]
