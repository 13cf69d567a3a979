"""Batchers: requests of one kind collected while the previous batch commits, applied together.

The hot actions (votes, questions) are set-based work: whatever arrives during a commit goes
into the next one as a handful of statements, so the rate is not bounded by statements per
action. Each request still gets its own answer (or refusal) once its batch has committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import ActionRefused, Reply, Services

log = logging.getLogger(__name__)

R = TypeVar("R")

FLUSH_SECONDS = 0.005  # TOWNHALL_BATCH_FLUSH_SECONDS


class Batcher(ABC, Generic[R]):
    name = "batcher"

    def __init__(
        self, services: Services, max_batch: int = 1000, flush_seconds: float = FLUSH_SECONDS
    ) -> None:
        self.services = services
        self.max_batch = max_batch
        self.flush_seconds = flush_seconds
        # Participants certainly stored: a cache, not a registry (the database decides).
        self.known_participants: set[str] = set()
        self._queue: asyncio.Queue[tuple[R, asyncio.Future[Reply], float]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def submit(self, request: R) -> Reply:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply] = loop.create_future()
        await self._queue.put((request, future, loop.time()))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            request, future, arrived = await self._queue.get()
            # A batch closes `flush_seconds` after its first request arrived (or when full).
            # Under load that moment has passed while the previous batch committed; when it is
            # quiet the wait gathers a few requests, since a batch costs milliseconds of CPU
            # whatever its size.
            await asyncio.sleep(max(0.0, arrived + self.flush_seconds - loop.time()))
            batch = [(request, future)]
            while len(batch) < self.max_batch and not self._queue.empty():
                waiting, its_future, _ = self._queue.get_nowait()
                batch.append((waiting, its_future))
            try:
                await self.apply(batch)
            except Exception as error:
                log.exception("a batch of %d %s failed; none was applied", len(batch), self.name)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)

    @abstractmethod
    async def store(
        self, session: AsyncSession, requests: list[R], now: datetime, known: set[str]
    ) -> set[str]:
        """Apply the requests in `session`; returns the participants now certainly stored."""

    async def after(self, applied: list[R]) -> None:
        """What follows the commit for the requests that were applied (none by default)."""

    async def apply(self, batch: list[tuple[R, asyncio.Future[Reply]]]) -> None:
        """Apply and commit the batch, then settle every future."""
        requests = [request for request, _ in batch]
        now = self.services.clock()
        known = self.known_participants
        stored = await self.services.committer.run(
            lambda session: self.store(session, requests, now, known)
        )
        if len(known) > 500_000:
            known.clear()
        known.update(stored)
        await self.after(await settle(self.services, batch))


async def settle(
    services: Services, batch: Sequence[tuple[Any, asyncio.Future[Reply]]]
) -> list[Any]:
    """Answer each request of a committed batch; notify the events that changed. Returns the
    requests that were applied (not refused, not replayed)."""
    changed, applied = set(), []
    for request, future in batch:
        if future.done():
            continue
        outcome = request.outcome
        if isinstance(outcome, Reply):
            future.set_result(outcome)
            if not outcome.replayed and request.event_id is not None:
                changed.add(request.event_id)
                applied.append(request)
        else:
            future.set_exception(outcome or ActionRefused("internal", "Not applied."))
    for event_id in changed:
        await services.hub.notify(event_id)
    return applied
