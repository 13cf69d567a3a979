"""Group commit: many actions share one transaction, each inside a savepoint of its own.

Whatever arrives while a commit is running waits for the next one, so under load a commit
carries hundreds of actions and the rate is not bounded by one commit per vote; when it is
quiet an action commits at once. A refused action rolls back only its savepoint (a group of
one needs none: its transaction is its own). Nobody hears "done" before the commit that holds
their action has succeeded.

When the shared transaction itself fails (at COMMIT, say, where a deferred constraint is
checked), the group is split in halves and each committed on its own, until the work at fault
stands alone: it alone gets the error, and every other work commits once. A work may therefore
run more than once; only the attempt that committed counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.store.db import SessionFactory
from townhall.store.tally import Tally

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]
Queued = tuple[Work, "asyncio.Future[Any]", str, int]  # the work, its answer, its kind and size
Observer = Callable[[Tally], None]


# PostgreSQL's deadlock_detected and serialization_failure: another transaction (a dedup
# decision, another worker's group) held rows in the other order. Rolling back to the
# savepoint releases this work's row locks, so trying it again then goes through.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
TRANSIENT_RETRIES = 3


def is_transient(error: BaseException) -> bool:
    orig = getattr(error, "orig", None)
    return isinstance(error, DBAPIError) and getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES


class CommitFailed(Exception):
    """The transaction holding the action did not commit; nothing of it was stored."""


class CommitterStopped(CommitFailed):
    """The server is stopping; the action was not tried."""


def is_outage(error: BaseException) -> bool:
    """The database, not a request, is at fault (the connection was lost, the server is
    stopping): splitting a group or batch to find a guilty request would only repeat it."""
    if isinstance(error, CommitterStopped | OSError):  # OSError: refused, reset, timed out
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return error.__cause__ is not None and is_outage(error.__cause__)


class GroupCommitter:
    def __init__(
        self, sessions: SessionFactory, *, max_batch: int = 256, observe: Observer | None = None
    ) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._queue: asyncio.Queue[Queued] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0
        self.actions = 0
        # Told each group's figures (store/tally.py) once it committed or failed.
        self.observe = observe

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="group-committer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while not self._queue.empty():
            _, future, _, _ = self._queue.get_nowait()
            if not future.done():
                future.set_exception(CommitterStopped("the server is stopping"))

    async def run(
        self, work: Callable[[AsyncSession], Awaitable[T]], *, kind: str = "action", size: int = 1
    ) -> T:
        """Apply `work` in the next group transaction; returns once that has committed.
        `kind` and `size` (the requests it carries) only describe it in the group's figures."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self._queue.put((work, future, kind, size))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            await asyncio.sleep(0)  # let actions that arrived together join this commit
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            tally = Tally()
            for _, _, kind, size in batch:
                tally.count(kind, size)
            try:
                await self._commit(batch, tally=tally)
            finally:
                tally.finish()
                if self.observe is not None:
                    self.observe(tally)

    async def _apply(self, session: AsyncSession, work: Work) -> tuple[Any, BaseException | None]:
        """Run one work in a savepoint of its own: (value, None) or (None, why it failed)."""
        retries = 0
        while True:
            try:
                async with session.begin_nested():
                    return await work(session), None
            except Exception as refused:  # rolled back to its savepoint only
                if retries < TRANSIENT_RETRIES and is_transient(refused):
                    retries += 1
                    log.info("work rolled back by a lock conflict; trying it again")
                    continue
                return None, refused

    async def _commit_alone(
        self,
        work: Work,
        future: asyncio.Future[Any],
        *,
        isolated: bool = False,
        tally: Tally | None = None,
    ) -> None:
        """A group of one work needs no savepoint (two statements fewer): its transaction is
        its own, so when the work fails, rolling all of it back undoes just that work.
        `isolated`: split out of a group whose transaction failed."""
        retries = 0
        while True:
            refused: BaseException | None = None
            try:
                async with self._sessions() as session, session.begin():
                    if tally is not None:
                        await tally.attach(session)
                    try:
                        value = await work(session)
                    except Exception as error:
                        refused = error
                        raise
                    if tally is not None:
                        tally.wait_from()
                if tally is not None:
                    tally.committed()
            except Exception as failure:
                if tally is not None:
                    tally.detach()
                    tally = None  # retries are not this group's figures
                if refused is not None and retries < TRANSIENT_RETRIES and is_transient(refused):
                    retries += 1
                    log.info("work rolled back by a lock conflict; trying it again")
                    continue
                if refused is None:
                    log.error(
                        "%s: %r",
                        "the work that failed its group failed alone"
                        if isolated
                        else "group commit of 1 action failed",
                        failure,
                        exc_info=failure,
                    )
                if not future.done():
                    if refused is not None:
                        future.set_exception(refused)
                    else:
                        failed = CommitFailed(str(failure))
                        failed.__cause__ = failure
                        future.set_exception(failed)
                return
            self.commits += 1
            self.actions += 1
            if not future.done():
                future.set_result(value)
            return

    async def _commit(
        self, batch: list[Queued], *, isolated: bool = False, tally: Tally | None = None
    ) -> None:
        """Commit the group; `tally` (the first attempt's only) counts what it costs."""
        if len(batch) == 1:
            work, future, _, _ = batch[0]
            await self._commit_alone(work, future, isolated=isolated, tally=tally)
            return
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            async with self._sessions() as session, session.begin():
                if tally is not None:
                    await tally.attach(session)
                for work, future, _, _ in batch:
                    outcomes.append((future, *await self._apply(session, work)))
                if tally is not None:
                    tally.wait_from()
            if tally is not None:
                tally.committed()
        except Exception as failure:
            if tally is not None:
                tally.detach()
            if is_outage(failure):
                log.error("group commit of %d actions failed", len(batch), exc_info=failure)
                for _, future, _, _ in batch:
                    if not future.done():
                        failed = CommitFailed(str(failure))
                        failed.__cause__ = failure
                        future.set_exception(failed)
                return
            if not isolated:
                log.warning(
                    "group commit of %d actions failed (%r); splitting it to find the work at "
                    "fault",
                    len(batch),
                    failure,
                )
            middle = len(batch) // 2
            await self._commit(batch[:middle], isolated=True)
            await self._commit(batch[middle:], isolated=True)
            return
        self.commits += 1
        self.actions += len(batch)
        for future, value, error in outcomes:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)
