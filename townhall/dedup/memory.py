"""The series memory: what was already answered in earlier events of a series.

For an event of a series, the wordings of every answered group of the earlier events that
share a candidate with it (the root and every wording merged into it), in an in-memory index
like the event's own, built from stored embeddings (never re-embedded). A new question that
matches one of them in the merge band of its pair of languages is flagged as a repeat (never
merged: each event keeps its own queue). Whether the group is still answered is read from the
database at each search, so an unmerged wording (no longer part of the answered group) or a
group put back in the queue stops counting at once; the index itself is dropped when a question
is marked answered in this process and rebuilt at the latest every `refresh` seconds, for what
other processes marked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.dedup.embedder import from_bytes
from townhall.dedup.index import EventIndex, Vector
from townhall.dedup.routing import Scorer
from townhall.domain.questions import Status
from townhall.domain.series import AnsweredIn
from townhall.store import series
from townhall.store.db import SessionFactory

CANDIDATES = 10
REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class Repeat:
    """An earlier answered group that a text repeats."""

    question_id: int  # the earlier wording that matched
    text: str  # that wording
    score: float
    answered_in: AnsweredIn


@dataclass
class _Memory:
    built: float
    index: EventIndex
    events: dict[int, series.EarlierEvent]  # by id
    event_of: dict[int, int]  # wording -> its event


class SeriesMemory:
    def __init__(
        self,
        dimension: int,
        read_sessions: SessionFactory,
        *,
        refresh: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._dimension = dimension
        self._read = read_sessions
        self._refresh = refresh
        self._clock = clock
        self._memories: dict[int, _Memory] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def forget(self) -> None:
        """Something was answered (or un-answered): rebuild each memory when next needed."""
        self._memories.clear()

    async def _memory(self, event_id: int) -> _Memory:
        lock = self._locks.setdefault(event_id, asyncio.Lock())
        async with lock:
            found = self._memories.get(event_id)
            if found is not None and self._clock() - found.built < self._refresh:
                return found
            index = EventIndex(self._dimension)
            event_of: dict[int, int] = {}
            async with self._read() as session:
                earlier = await series.earlier_events(session, event_id)
                rows = await series.answered_wordings(session, [e.id for e in earlier])
            for question_id, wording, blob, earlier_id in rows:
                vector = from_bytes(blob)
                if vector.shape[0] == self._dimension:  # another model's vectors mean nothing
                    index.add(question_id, wording, vector)
                    event_of[question_id] = earlier_id
            memory = _Memory(self._clock(), index, {e.id: e for e in earlier}, event_of)
            self._memories[event_id] = memory
            return memory

    async def repeats(
        self,
        session: AsyncSession,
        scorer: Scorer,
        event_id: int,
        text: str,
        vector: Vector,
        *,
        limit: int = 1,
    ) -> list[Repeat]:
        """Answered groups of earlier events that `text` repeats, best first: one per group,
        only where the pair's scorer would merge them were they in one event."""
        memory = await self._memory(event_id)
        if not len(memory.index):
            return []
        nearest = []
        seen: set[int] = set()
        for columns in scorer.search_columns(text):
            for found in memory.index.nearest(vector, CANDIDATES, columns=columns):
                if found[0] not in seen:
                    seen.add(found[0])
                    nearest.append(found)
        if not nearest:
            return []
        scores = scorer.score(
            text, vector, [item[1] for item in nearest], np.stack([item[2] for item in nearest])
        )
        # A repeat is claimed on strong evidence only; whether its group is still answered is
        # read for those alone (most questions repeat nothing: no read at all).
        strong = [
            (question_id, wording, float(score))
            for (question_id, wording, _, _), score in zip(nearest, scores, strict=True)
            if scorer.decide(float(score), text, wording) == "merge"
        ]
        if not strong:
            return []
        groups = await series.group_states(session, [question_id for question_id, _, _ in strong])
        best: dict[int, Repeat] = {}
        for question_id, wording, score in strong:
            group = groups.get(question_id)
            if group is None or group[1] != Status.ANSWERED.value:
                continue
            root, _, at = group
            if root in best and best[root].score >= score:
                continue
            earlier = memory.events[memory.event_of[question_id]]
            found_in = AnsweredIn(earlier.slug, earlier.title, root, at, earlier.candidates)
            best[root] = Repeat(question_id, wording, float(score), found_in)
        return sorted(best.values(), key=lambda repeat: -repeat.score)[:limit]
