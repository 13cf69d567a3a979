"""What screens show: the queue and a participant's own marks, read from the database."""

from __future__ import annotations

from dataclasses import dataclass

from townhall.domain.questions import Queue, build_queue
from townhall.store import queries
from townhall.store.db import SessionFactory
from townhall.store.tables import Event


@dataclass(frozen=True)
class EventQueue:
    event: Event
    queue: Queue


async def load_queue(sessions: SessionFactory, event_id: int, online: int) -> EventQueue | None:
    async with sessions() as session:
        event = await session.get(Event, event_id)
        if event is None:
            return None
        rows = await queries.queue_rows(session, event_id)
    return EventQueue(
        event, build_queue(rows.records, rows.votes, online=online, totals=rows.totals)
    )


async def load_own_marks(
    sessions: SessionFactory, event_id: int, participant_id: str
) -> tuple[list[int], list[int]]:
    async with sessions() as session:
        return await queries.participant_view(session, event_id, participant_id)
