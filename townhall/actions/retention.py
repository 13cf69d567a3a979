"""Forget stored network hashes after TOWNHALL_NETWORK_RETENTION_DAYS: at start-up, then daily."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import Services
from townhall.store.provenance import Cleared, clear_network_hashes

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(days=1)


class NetworkRetention:
    def __init__(self, services: Services, days: int, every: timedelta = SWEEP_EVERY) -> None:
        self._services = services
        self._keep = timedelta(days=days)
        self._every = every
        self._task: asyncio.Task[None] | None = None

    async def sweep(self) -> Cleared:
        before = self._services.clock() - self._keep

        async def work(session: AsyncSession) -> Cleared:
            return await clear_network_hashes(session, before)

        cleared = await self._services.committer.run(work, kind="retention")
        if cleared.participants or cleared.votes or cleared.set_asides:
            log.info("network hashes stored before %s cleared: %s", before.isoformat(), cleared)
        return cleared

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="network-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # a failed sweep must not end the loop; the next one retries
                log.exception("network-hash retention sweep failed")
            await asyncio.sleep(self._every.total_seconds())
