"""The vote batcher: collects votes while the previous group commits and hands them to
`apply_votes` together, and how many one batch takes."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import Actor, Reply, Services
from townhall.actions.batching import FLUSH_SECONDS, Batcher
from townhall.actions.cadence import Closing
from townhall.actions.votes import VoteRequest, apply_votes

# The most votes one batch takes by default (TOWNHALL_VOTE_BATCH_SIZE). Under load a batch
# takes about as long whatever its size (it waits for a few round trips while the event loop
# serves everyone else), so larger batches serve a waiting crowd faster: at 5,000 sockets on
# SQLite 5,000 a batch gave 2,216 votes/s against 1,865 with 1,000; but settling 5,000 at once
# holds the event loop, and queue updates fell from 3.1 to 2.0 per screen per second and vote
# -> screen p99 rose from 418 to 879 ms (docs/performance.md).
VOTES_PER_BATCH = 1000
# The largest allowed: a batch binds one value a distinct question in its read (SQLite allows
# 32,766), 5 a vote in its INSERT … RETURNING (SQLAlchemy splits any over 32,700: a batch
# over 6,540 new votes takes two INSERTs).
MAX_VOTES_PER_BATCH = 10_000


class VoteBatcher(Batcher[VoteRequest]):
    """Collects votes while the previous group commits, then applies them together."""

    name = "vote-batcher"
    kind = "votes"

    def __init__(
        self,
        services: Services,
        max_batch: int = VOTES_PER_BATCH,
        flush_seconds: float = FLUSH_SECONDS,
        max_wait: float | None = None,
        closing: Closing | None = None,
    ) -> None:
        super().__init__(services, max_batch, flush_seconds, max_wait, closing)
        self.event_ids: dict[str, int] = {}

    async def vote(
        self, actor: Actor, event_slug: str, client_id: str, question_id: int, kind: str = "vote"
    ) -> Reply:
        return await self.submit(VoteRequest(actor, event_slug, client_id, question_id, kind))

    def queue_vote(
        self, actor: Actor, event_slug: str, client_id: str, question_id: int, kind: str = "vote"
    ) -> asyncio.Future[Reply]:
        return self.enqueue(VoteRequest(actor, event_slug, client_id, question_id, kind))

    async def store(
        self, session: AsyncSession, requests: list[VoteRequest], now: datetime, known: set[str]
    ) -> set[str]:
        return await apply_votes(session, requests, now, known, event_ids=self.event_ids)
