"""Regional balance for the moderator console: each live group's spread across regions,
UN regional groups and stakeholder groups, and the "support from the most regions" order.

Fetched on demand (web/spread.py), never rendered per vote per screen: one aggregated read
per event, kept for `SPREAD_REFRESH_SECONDS` and shared by every moderator screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from townhall.domain.spread import Spread, order_by_regions, spreads
from townhall.store import spread as store
from townhall.store.db import SessionFactory

SPREAD_REFRESH_SECONDS = 2.0


@dataclass(frozen=True)
class _Open:
    id: int
    votes: int
    created_at: datetime


class SpreadCache:
    """Each event's spread, read again at most every `refresh` seconds (per process)."""

    def __init__(
        self, refresh: float = SPREAD_REFRESH_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._refresh = refresh
        self._clock = clock
        self._read: dict[tuple[int, int], tuple[float, dict[str, Any]]] = {}

    def get(self, event_id: int, minimum: int) -> dict[str, Any] | None:
        found = self._read.get((event_id, minimum))
        if found is None or self._clock() - found[0] >= self._refresh:
            return None
        return found[1]

    def store(self, event_id: int, minimum: int, view: dict[str, Any]) -> None:
        now = self._clock()
        self._read = {k: v for k, v in self._read.items() if now - v[0] < self._refresh}
        self._read[(event_id, minimum)] = (now, view)


def spread_view(spread: Spread) -> dict[str, Any]:
    data = asdict(spread)
    data["id"] = data.pop("question_id")
    return data


async def event_spread(
    sessions: SessionFactory, event_id: int, minimum: int, cache: SpreadCache | None = None
) -> dict[str, Any]:
    """What the moderator console shows: every live group's spread and the region order."""
    if cache is not None and (known := cache.get(event_id, minimum)) is not None:
        return known
    async with sessions() as session:
        rows = await store.support_rows(session, event_id)
        queue = [_Open(*row) for row in await store.open_groups(session, event_id)]
    found = spreads(rows, minimum)
    regions = {root: spread.regions for root, spread in found.items()}
    view = {
        "threshold": minimum,
        "questions": [spread_view(found[root]) for root in sorted(found)],
        "order_by_regions": [item.id for item in order_by_regions(queue, regions)],
    }
    if cache is not None:
        cache.store(event_id, minimum, view)
    return view
