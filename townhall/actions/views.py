"""What screens show: the queue and a participant's own marks, read from the database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.organisations import Endorsed, endorsements_by_group
from townhall.domain.questions import QuestionRecord, Queue, build_queue
from townhall.domain.series import AnsweredIn
from townhall.store import organisations, provenance, queries, series
from townhall.store.db import SessionFactory, snapshot_reads
from townhall.store.tables import Event


@dataclass(frozen=True)
class EventQueue:
    event: Event
    queue: Queue
    # Groups whose last minutes of support look automated -> the rule's reason (moderators
    # only): one aggregated read of the window's votes per render, not one per question.
    flags: dict[int, str] = field(default_factory=dict)


# How often the ticker re-reads an event's burst flags. The read costs in proportion to the
# event's votes of the last window (about 5,000 in 5 minutes: a few ms of database time), so
# under a benchmark's thousands of votes a second it must not run at every 0.2 s tick.
FLAG_REFRESH_SECONDS = 2.0


V = TypeVar("V")


class EventCache(Generic[V]):
    """A value per event, re-read at most every `refresh` seconds (per process).

    A render served a cached value asks for one more render when it falls due (`on_due`), so
    a change made on another worker shows within `refresh` seconds. An action of this process
    that changes it `forget`s the event's value so the next render shows the change."""

    def __init__(
        self,
        refresh: float = FLAG_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        on_due: Callable[[int], None] | None = None,
    ) -> None:
        self._refresh = refresh
        self._clock = clock
        self._on_due = on_due
        self._read: dict[int, tuple[float, V]] = {}
        self._waiting: set[int] = set()

    def cached(self, event_id: int) -> V | None:
        found = self._read.get(event_id)
        if found is None:
            return None
        left = found[0] + self._refresh - self._clock()
        if left <= 0:
            return None
        if self._on_due is not None and event_id not in self._waiting:
            self._waiting.add(event_id)
            asyncio.get_running_loop().call_later(left, self._due, event_id)
        return found[1]

    def _due(self, event_id: int) -> None:
        self._waiting.discard(event_id)
        if self._on_due is not None:
            self._on_due(event_id)

    def store(self, event_id: int, value: V) -> None:
        self._read[event_id] = (self._clock(), value)

    def forget(self, event_id: int) -> None:
        self._read.pop(event_id, None)


class SupportFlags(EventCache[dict[int, str]]):
    """Each event's burst flags: the flag of a burst that ended between two reads still shows
    (`on_due`); a set-aside or restore forgets the event's flags."""


class EndorsementCache(EventCache[dict[int, Endorsed]]):
    """Each event's endorsements per group. The read grows with the event's endorsements (750
    organisations endorsing a few questions each: thousands of rows), so a render caused by
    votes must not repeat it at every tick; `endorse`, `withdraw_endorsement`, merges and
    unmerges of this process forget it, other workers' changes show within 2 s."""


@dataclass
class QueueInputs:
    """One read of an event's queue: what `build_queue` takes."""

    event: Event
    records: list[QuestionRecord]
    votes: dict[int, int]
    totals: dict[str, int]
    commons: dict[int, dict[str, str]]
    answered: dict[int, AnsweredIn]
    endorsed: dict[int, Endorsed]
    flags: dict[int, str]

    def build(self, online: int) -> EventQueue:
        queue = build_queue(
            self.records,
            self.votes,
            online=online,
            totals=self.totals,
            commons=self.commons,
            answered=self.answered,
            endorsements=self.endorsed,
        )
        return EventQueue(self.event, queue, self.flags)


async def read_queue(
    sessions: SessionFactory,
    event_id: int,
    now: datetime | None = None,
    flags: SupportFlags | None = None,
    endorsements: EndorsementCache | None = None,
) -> QueueInputs | None:
    """The event's queue as stored; with `flags` (`endorsements`), burst flags (endorsements)
    come from it when fresh enough. The rows and the totals are read in one snapshot."""
    known = flags.cached(event_id) if flags is not None else None
    endorsed = endorsements.cached(event_id) if endorsements is not None else None
    async with snapshot_reads(sessions) as session:
        event = await session.get(Event, event_id)
        if event is None:
            return None
        rows = await queries.queue_rows(session, event_id)
        # Across the series: only when the shown questions carry one (a read each).
        repeats = sorted({r.repeat_of_id for r in rows.records if r.repeat_of_id is not None})
        commons = sorted({r.common_id for r in rows.records if r.common_id is not None})
        answered = await series.answered_groups(session, repeats)
        texts = await series.common_texts(session, commons)
        if endorsed is None:
            endorsed = await read_endorsements(session, event_id, endorsements)
        if known is None:
            known = await read_flags(session, event_id, flags, now)
    return QueueInputs(
        event, rows.records, rows.votes, rows.totals, texts, answered, endorsed, known
    )


async def read_endorsements(
    session: AsyncSession, event_id: int, cache: EndorsementCache | None
) -> dict[int, Endorsed]:
    """The event's endorsements per group, read now (and kept in `cache`)."""
    endorsed = endorsements_by_group(await organisations.endorsement_rows(session, event_id))
    if cache is not None:
        cache.store(event_id, endorsed)
    return endorsed


async def read_flags(
    session: AsyncSession, event_id: int, cache: SupportFlags | None, now: datetime | None = None
) -> dict[int, str]:
    """The event's burst flags, read now (and kept in `cache`)."""
    bursts = await provenance.flagged(session, event_id, now or datetime.now(UTC))
    known = {root: burst.reason for root, burst in bursts.items()}
    if cache is not None:
        cache.store(event_id, known)
    return known


async def load_queue(
    sessions: SessionFactory,
    event_id: int,
    online: int,
    now: datetime | None = None,
    flags: SupportFlags | None = None,
    endorsements: EndorsementCache | None = None,
) -> EventQueue | None:
    """The event's queue, read in full."""
    inputs = await read_queue(sessions, event_id, now, flags, endorsements)
    return None if inputs is None else inputs.build(online)


async def load_own_marks(
    sessions: SessionFactory, event_id: int, participant_id: str
) -> tuple[list[int], list[int]]:
    async with sessions() as session:
        return await queries.participant_view(session, event_id, participant_id)
