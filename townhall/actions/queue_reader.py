"""The ticks' reads of each event's queue: in full when anything may have changed; when only
some questions' rows did without changing their status or group (votes, a language, a
suggestion, a new question), just those rows, added to the rows of the last full read and the
selection made again (domain/shown.py). Five times a second at every live event, the full read
was most of a tick's CPU at a small town hall (docs/performance.md)."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from townhall.actions.views import (
    EndorsementCache,
    EventQueue,
    QueueInputs,
    SupportFlags,
    read_endorsements,
    read_flags,
    read_queue,
)
from townhall.domain.questions import QuestionRecord, Status
from townhall.domain.shown import Rank, ShownLimits, cut_of, reselect
from townhall.live.metrics import Metrics
from townhall.store import queries
from townhall.store.db import SessionFactory, snapshot_reads

LIMITS = ShownLimits(
    top=queries.QUEUE_TOP,
    newest=queries.QUEUE_NEWEST,
    pending=queries.PENDING_OLDEST,
    review=queries.REVIEW_MAX,
    common=queries.COMMON_MAX,
)
# More changed questions than this in one tick, or more rows than this added to a full read's
# by re-reads: read in full.
MAX_REREAD = 500
# A full read at least this often whatever changed: re-reads choose from rows that only grow
# between full reads, and a full read starts them afresh.
FULL_READ_SECONDS = 30.0
# A new or changed question may join the queue without a full read in these statuses only.
_JOINING = (Status.OPEN, Status.PENDING)


@dataclass
class _Read:
    """The last full read (its counts and totals the latest re-read's), and its rows with
    every row re-read since in place of its old self or beside them."""

    inputs: QueueInputs
    records: dict[int, QuestionRecord]
    cut: Rank | None
    at: float  # when it was read (monotonic)


class QueueReader:
    """Each event's queue for the ticks of this process.

    `read(event_id, online, changed)`: `changed` None means anything may have changed (a full
    read); a set of question ids means only their rows have, none of them changing status or
    group: those rows are read again, with the event's totals in the same snapshot, and the
    queue is chosen again from them and the last full read's rows, where that gives what a
    full read would (else it reads in full).
    """

    def __init__(
        self,
        sessions: SessionFactory,
        flags: SupportFlags | None = None,
        endorsements: EndorsementCache | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._metrics = metrics
        self._flags = flags
        self._endorsements = endorsements
        self._last: dict[int, _Read] = {}
        self.full_reads = 0
        self.rereads = 0

    async def read(
        self, event_id: int, online: int, changed: Collection[int] | None = None
    ) -> EventQueue | None:
        last = self._last.get(event_id)
        if (
            changed is not None
            and last is not None
            and len(changed) <= MAX_REREAD
            and len(last.records) + len(changed) <= len(last.inputs.records) + MAX_REREAD
            and self._clock() - last.at < FULL_READ_SECONDS
        ):
            reread = await self._reread(event_id, last, changed)
            if reread is not None:
                self.rereads += 1
                if self._metrics is not None:
                    self._metrics.queue_reads.labels("reread").inc()
                return reread.build(online)
        inputs = await read_queue(
            self._sessions, event_id, flags=self._flags, endorsements=self._endorsements
        )
        self.full_reads += 1
        if self._metrics is not None:
            self._metrics.queue_reads.labels("full").inc()
        if inputs is None:
            self._last.pop(event_id, None)
            return None
        self._last[event_id] = _Read(
            inputs,
            {record.id: record for record in inputs.records},
            cut_of(inputs.records, inputs.votes, LIMITS.top),
            self._clock(),
        )
        return inputs.build(online)

    async def _reread(
        self, event_id: int, last: _Read, changed: Collection[int]
    ) -> QueueInputs | None:
        flags = self._flags.cached(event_id) if self._flags is not None else {}
        endorsed = self._endorsements.cached(event_id) if self._endorsements is not None else {}
        async with snapshot_reads(self._sessions) as session:
            now = await queries.rows_by_id(session, event_id, changed)
            # Burst flags and endorsements fall due every few seconds: read on their own.
            if endorsed is None:
                endorsed = await read_endorsements(session, event_id, self._endorsements)
            if flags is None:
                flags = await read_flags(session, event_id, self._flags)
        if len(now.records) != len(set(changed)):
            return None  # gone
        records, votes = dict(last.records), dict(last.inputs.votes)
        for record in now.records:
            before = records.get(record.id)
            if before is None:
                if record.canonical_id is not None or record.status not in _JOINING:
                    return None
            elif (before.status, before.canonical_id) != (record.status, record.canonical_id):
                return None  # moved or merged: its notice is on its way
            elif record.status is Status.ANSWERING and _on_stage(records) >= queries.ANSWERING_MAX:
                return None  # its votes may change which questions on stage are shown
            if (record.repeat_of_id, record.common_id) != (
                (None, None) if before is None else (before.repeat_of_id, before.common_id)
            ):
                return None  # the series' reads are the full read's
            records[record.id] = record
            if record.id in now.votes:
                votes[record.id] = now.votes[record.id]
        shown = reselect(list(records.values()), votes, last.cut, LIMITS)
        if shown is None:
            return None
        last.records = records
        last.inputs = replace(last.inputs, votes=votes, totals=now.totals)
        return replace(last.inputs, records=shown, endorsed=endorsed, flags=flags)


def _on_stage(records: dict[int, QuestionRecord]) -> int:
    return sum(r.status is Status.ANSWERING and r.canonical_id is None for r in records.values())
