"""Batchers: requests of one kind collected while the previous batch commits, applied together.

The hot actions (votes, questions) are set-based work: whatever arrives during a commit goes
into the next one as a handful of statements, so the rate is not bounded by statements per
action. Each request still gets its own answer (or refusal) once its batch has committed.

A batch that fails is split in halves and each half committed on its own, again and again,
until the request at fault stands alone (like the per-item results of Elasticsearch's
`_bulk`): it alone gets the error; every other request is applied and answered once.

When more arrives than the database can commit, requests would wait for seconds in the queue
and their answers with them. Instead, once a full batch is already waiting and the oldest of
it has waited `max_wait` seconds, new ones are refused at once with `busy` (nothing applied,
try again after `retry_after_ms`): the page keeps the action and sends it again a moment
later, and what is accepted goes into the next batch. Only what could not go into the next
batch is refused: refusing on waiting time alone, when a commit under load takes longer than
`max_wait`, left batches part-empty and cut the rate the server commits at (1,157 votes/s at
5,000 sockets without refusals, 747 with them; docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import ActionRefused, Reply, Services
from townhall.actions.cadence import Closing, FixedWindow
from townhall.store.committer import is_outage

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.05  # TOWNHALL_BATCH_FLUSH_SECONDS
MAX_WAIT_SECONDS = 1.0  # TOWNHALL_MAX_WAIT_SECONDS


@dataclass
class BatchRequest:
    """What an attempt to apply a request decides: its answer, and its event's id."""

    outcome: Reply | ActionRefused | None = field(default=None, kw_only=True)
    event_id: int | None = field(default=None, kw_only=True)

    def reset(self) -> None:
        """Forget what an attempt decided: its transaction was rolled back (or is retried)."""
        self.outcome = None
        self.event_id = None

    def describe(self) -> str:
        return repr(self)

    def changed_row(self) -> int | None:
        """The question whose row alone this request changed once applied (its votes, or it
        is new), not its status nor its group; None when it may have changed anything else a
        queue shows."""
        return None


R = TypeVar("R", bound=BatchRequest)
Pending = tuple[R, asyncio.Future[Reply]]


class Batcher(ABC, Generic[R]):
    name = "batcher"
    kind = "requests"  # what its requests are, in the server's figures (live/metrics.py)

    def __init__(
        self,
        services: Services,
        max_batch: int = 1000,
        flush_seconds: float = FLUSH_SECONDS,
        max_wait: float | None = None,
        closing: Closing | None = None,
    ) -> None:
        self.services = services
        self.max_batch = max_batch
        # When a batch closes (actions/cadence.py): by default `flush_seconds` after its first
        # request arrived.
        self.closing = closing if closing is not None else FixedWindow(flush_seconds)
        self.max_wait = max_wait  # None: never refuse as busy (the server passes the setting)
        self.refused_busy = 0
        # Participants certainly stored: a cache, not a registry (the database decides). Only
        # what a committed transaction returned is added.
        self.known_participants: set[str] = set()
        # Requests waiting for a batch, oldest first, with the loop time each arrived.
        self._waiting: deque[tuple[R, asyncio.Future[Reply], float]] = deque()
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.accepted = 0  # requests applied (neither refused nor replayed)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def submit(self, request: R) -> Reply:
        return await self.enqueue(request)

    def enqueue(self, request: R) -> asyncio.Future[Reply]:
        """Queue the request for the next batch; its answer is the future's (set once the
        batch has committed). A busy batcher raises `ActionRefused` here instead."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if (
            self.max_wait
            and len(self._waiting) >= self.max_batch
            and now - self._waiting[0][2] >= self.max_wait
        ):
            self.refused_busy += 1
            if self.services.metrics is not None:
                self.services.metrics.observe_shed(self.kind)
            raise ActionRefused(
                "busy",
                "Many people are acting at once; this was not applied. Send it again in a moment.",
                status=503,
                retry_after_ms=round(self.max_wait * 1000),
            )
        future: asyncio.Future[Reply] = loop.create_future()
        self._waiting.append((request, future, now))
        self._arrived.set()
        return future

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not self._waiting:
                self._arrived.clear()
                await self._arrived.wait()
            request, future, arrived = self._waiting.popleft()
            # Under load the moment a batch closes has passed while the previous batch
            # committed; when it is quiet the wait gathers a few requests, since a batch costs
            # milliseconds of CPU whatever its size.
            now = loop.time()
            if len(self._waiting) + 1 < self.max_batch:  # a full batch closes at once
                await asyncio.sleep(max(0.0, self.closing.closes_at(arrived, now) - now))
            batch: list[Pending[R]] = [(request, future)]
            while len(batch) < self.max_batch and self._waiting:
                waiting, its_future, _ = self._waiting.popleft()
                batch.append((waiting, its_future))
            started, accepted = time.perf_counter(), self.accepted
            try:
                await self.apply(batch)
            except Exception as error:  # not the commit's (apply isolates that): settling's
                log.exception("answering a batch of %d %s failed", len(batch), self.name)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
            took = time.perf_counter() - started
            self.closing.observe(took)
            metrics = self.services.metrics
            if metrics is not None:
                metrics.observe_batch(self.kind, len(batch), took, self.accepted - accepted)

    @abstractmethod
    async def store(
        self, session: AsyncSession, requests: list[R], now: datetime, known: set[str]
    ) -> set[str]:
        """Apply the requests in `session`; returns the participants now certainly stored."""

    async def after(self, applied: list[R]) -> None:
        """What follows the commit for the requests that were applied (none by default)."""

    async def apply(self, batch: list[Pending[R]]) -> None:
        """Apply and commit the batch, then settle every future; a request that makes the
        batch fail is found by splitting it, and fails alone."""
        await self._isolate(batch, whole=True)

    async def _commit(self, requests: list[R]) -> None:
        now = self.services.clock()
        known = self.known_participants

        async def work(session: AsyncSession) -> set[str]:
            # The committer may run a work more than once (a lost deadlock, a failed group):
            # every attempt starts from nothing an earlier, rolled-back one decided.
            for request in requests:
                request.reset()
            return await self.store(session, requests, now, known)

        stored = await self.services.committer.run(work, kind=self.kind, size=len(requests))
        if len(known) > 500_000:
            known.clear()
        known.update(stored)

    async def _isolate(self, batch: list[Pending[R]], *, whole: bool = False) -> None:
        try:
            await self._commit([request for request, _ in batch])
        except Exception as error:
            failure = error
        else:
            applied = await settle(self.services, batch)
            self.accepted += len(applied)
            await self.after(applied)
            return
        for request, _ in batch:
            request.reset()
        if len(batch) == 1:
            log.error(
                "%s: %s failed on its own and was refused: %r",
                self.name,
                batch[0][0].describe(),
                failure,
                exc_info=failure,
            )
        elif is_outage(failure):
            # The database, not a request, is at fault: splitting would only repeat it.
            log.error(
                "a batch of %d %s failed; none was applied", len(batch), self.name, exc_info=failure
            )
        else:
            if whole:
                log.warning(
                    "a batch of %d %s failed (%r); splitting it to find the request at fault",
                    len(batch),
                    self.name,
                    failure,
                )
            middle = len(batch) // 2
            await self._isolate(batch[:middle])
            await self._isolate(batch[middle:])
            return
        for _, future in batch:
            if not future.done():
                future.set_exception(failure)


async def settle(services: Services, batch: Sequence[Pending[R]]) -> list[R]:
    """Answer each request of a committed batch; notify the events that changed. Returns the
    requests that were applied (not refused, not replayed)."""
    changed: dict[int, set[int] | None] = {}  # event -> questions whose rows alone changed
    applied = []
    for request, future in batch:
        if future.done():
            continue
        outcome = request.outcome
        if isinstance(outcome, Reply):
            future.set_result(outcome)
            if not outcome.replayed and request.event_id is not None:
                row = request.changed_row()
                rows = changed.setdefault(request.event_id, set())
                if row is None:
                    changed[request.event_id] = None
                elif rows is not None:
                    rows.add(row)
                applied.append(request)
        else:
            future.set_exception(outcome or ActionRefused("internal", "Not applied."))
    for event_id, rows in changed.items():
        if rows is None:
            await services.hub.notify(event_id)
        else:
            await services.hub.notify_rows(event_id, rows)
    return applied
