"""What screens show: the queue and a participant's own marks, read from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from townhall.domain.questions import Queue, build_queue
from townhall.store import provenance, queries
from townhall.store.db import SessionFactory
from townhall.store.tables import Event


@dataclass(frozen=True)
class EventQueue:
    event: Event
    queue: Queue
    # Groups whose last minutes of support look automated -> the rule's reason (moderators
    # only): one aggregated read of the window's votes per render, not one per question.
    flags: dict[int, str] = field(default_factory=dict)


async def load_queue(
    sessions: SessionFactory, event_id: int, online: int, now: datetime | None = None
) -> EventQueue | None:
    async with sessions() as session:
        event = await session.get(Event, event_id)
        if event is None:
            return None
        rows = await queries.queue_rows(session, event_id)
        bursts = await provenance.flagged(session, event_id, now or datetime.now(UTC))
    return EventQueue(
        event,
        build_queue(rows.records, rows.votes, online=online, totals=rows.totals),
        {root: burst.reason for root, burst in bursts.items()},
    )


async def load_own_marks(
    sessions: SessionFactory, event_id: int, participant_id: str
) -> tuple[list[int], list[int]]:
    async with sessions() as session:
        return await queries.participant_view(session, event_id, participant_id)
