"""Batchers: a batch stays open a moment after its first request, then commits as one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import Reply, Services
from townhall.actions.batching import FLUSH_SECONDS, Batcher
from townhall.actions.votes import MAX_VOTES_PER_BATCH, VOTES_PER_BATCH
from townhall.live.backends import MemoryBackend
from townhall.live.hub import Hub
from townhall.settings import MAX_VOTE_BATCH_SIZE, Settings
from townhall.store.committer import GroupCommitter
from townhall.store.db import create_engine, session_factory


@dataclass
class Request:
    name: str
    outcome: Reply | None = None
    event_id: int | None = None


class RecordingBatcher(Batcher[Request]):
    name = "recording-batcher"
    batches: list[list[str]]

    async def store(
        self, session: AsyncSession, requests: list[Request], now: datetime, known: set[str]
    ) -> set[str]:
        self.batches.append([request.name for request in requests])
        for request in requests:
            request.outcome = Reply("test", request.name, {"name": request.name})
        return set()


async def _no_render(event_id: int, online: int) -> dict[str, str]:
    return {}


@pytest.fixture
async def services(tmp_path: object) -> AsyncIterator[Services]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/batching.db")
    writes = session_factory(engine, write=True)
    committer = GroupCommitter(writes)
    await committer.start()
    yield Services(
        read_sessions=session_factory(engine),
        write_sessions=writes,
        hub=Hub(MemoryBackend(), _no_render, tick_seconds=1),
        committer=committer,
    )
    await committer.stop()
    await engine.dispose()


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

    assert (settings.batch_flush_seconds, settings.vote_batch_size) == (
        FLUSH_SECONDS,
        VOTES_PER_BATCH,
    )
    assert MAX_VOTE_BATCH_SIZE == MAX_VOTES_PER_BATCH
