"""Regional balance for the moderator console: each live group's spread across regions,
UN regional groups and stakeholder groups, and the "support from the most regions" order.

Fetched on demand (web/spread.py), never rendered per vote per screen: one aggregated read
per event, shared by every moderator screen of the process and kept for
`SPREAD_REFRESH_SECONDS`, or ten times as long as it took (its cost grows with the event's
votes: docs/integrity.md, "Regional balance").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from townhall.domain.spread import Spread, order_by_regions, spreads
from townhall.store import spread as store
from townhall.store.db import SessionFactory

SPREAD_REFRESH_SECONDS = 2.0
# A read that took t seconds is kept for at least COST_FACTOR * t: however large the event,
# keeping the consoles' spread fresh costs at most about 1/COST_FACTOR of one core.
COST_FACTOR = 10.0


@dataclass(frozen=True)
class _Open:
    id: int
    votes: int
    created_at: datetime


class SpreadCache:
    """Each event's spread, shared by every moderator screen of this process: read again at
    most every `refresh` seconds (longer after a slow read), and by one caller at a time."""

    def __init__(
        self,
        refresh: float = SPREAD_REFRESH_SECONDS,
        cost_factor: float = COST_FACTOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._refresh = refresh
        self._cost_factor = cost_factor
        self._clock = clock
        self._read: dict[tuple[int, int], tuple[float, dict[str, Any]]] = {}
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}

    async def get(
        self,
        event_id: int,
        minimum: int,
        compute: Callable[[], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        key = (event_id, minimum)
        async with self._locks.setdefault(key, asyncio.Lock()):
            found = self._read.get(key)
            if found is not None and self._clock() < found[0]:
                return found[1]
            started = self._clock()
            view = await compute()
            finished = self._clock()
            keep = max(self._refresh, self._cost_factor * (finished - started))
            # Views of events nobody is watching any more are dropped (their locks are tiny).
            self._read = {k: v for k, v in self._read.items() if v[0] > finished}
            self._read[key] = (finished + keep, view)
            return view


def spread_view(spread: Spread) -> dict[str, Any]:
    data = asdict(spread)
    data["id"] = data.pop("question_id")
    return data


async def event_spread(
    sessions: SessionFactory, event_id: int, minimum: int, cache: SpreadCache | None = None
) -> dict[str, Any]:
    """What the moderator console shows: every live group's spread and the region order."""

    async def compute() -> dict[str, Any]:
        async with sessions() as session:
            rows = await store.support_rows(session, event_id)
            queue = [_Open(*row) for row in await store.open_groups(session, event_id)]
        found = spreads(rows, minimum)
        regions = {root: spread.regions for root, spread in found.items()}
        return {
            "threshold": minimum,
            "questions": [spread_view(found[root]) for root in sorted(found)],
            "order_by_regions": [item.id for item in order_by_regions(queue, regions)],
        }

    return await (cache.get(event_id, minimum, compute) if cache is not None else compute())
