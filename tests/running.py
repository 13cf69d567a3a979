"""The services an action test runs against: an engine on the test's database, the group
committer, a hub on the memory backend and, unless told not to, the vote and question
batchers; all stopped (and the engine disposed) on the way out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.asking import QuestionBatcher
from townhall.actions.base import Reply, Services
from townhall.actions.batching import Batcher, BatchRequest
from townhall.actions.vote_batcher import VoteBatcher
from townhall.live.backends import MemoryBackend
from townhall.live.hub import Hub
from townhall.store.committer import GroupCommitter
from townhall.store.db import create_engine, session_factory


@dataclass
class Request(BatchRequest):
    name: str


class RecordingBatcher(Batcher[Request]):
    """Answers each request with its name and records the batches it made."""

    name = "recording-batcher"
    batches: list[list[str]]

    async def store(
        self, session: AsyncSession, requests: list[Request], now: datetime, known: set[str]
    ) -> set[str]:
        self.batches.append([request.name for request in requests])
        for request in requests:
            request.outcome = Reply("test", request.name, {"name": request.name})
        return set()


async def no_render(
    event_id: int, online: int, audiences: frozenset[str], changed: frozenset[int] | None
) -> dict[str, str]:
    return {}


@asynccontextmanager
async def running_services(
    url: str,
    schema: str | None = None,
    *,
    batchers: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> AsyncIterator[Services]:
    engine = create_engine(url, schema=schema)
    writes = session_factory(engine, write=True)
    committer = GroupCommitter(writes)
    await committer.start()
    services = Services(
        read_sessions=session_factory(engine),
        write_sessions=writes,
        hub=Hub(MemoryBackend(), no_render, tick_seconds=1),
        committer=committer,
    )
    if clock is not None:
        services.clock = clock
    started: list[VoteBatcher | QuestionBatcher] = []
    if batchers:
        votes, asking = VoteBatcher(services), QuestionBatcher(services)
        services.votes, services.asking = votes, asking
        started = [votes, asking]
        for batcher in started:
            await batcher.start()
    try:
        yield services
    finally:
        for batcher in started:
            await batcher.stop()
        await committer.stop()
        await engine.dispose()
