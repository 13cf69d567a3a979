"""The dedup pipeline: a bounded queue, batched embedding off the event loop, and decisions
taken one question at a time per event, so near-identical questions that arrive together
still end as one.

A question is stored and acknowledged before it reaches this worker. If the queue is full it
simply waits in the database (dedup_state 'pending') until the next sweep picks it up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.dedup.common import gather_into_common
from townhall.dedup.embedder import Embedder, Matrix, from_bytes, to_bytes
from townhall.dedup.index import EventIndex, Vector
from townhall.dedup.language import detect_language
from townhall.dedup.matching import add_stored, find_matches
from townhall.dedup.memory import Repeat, SeriesMemory
from townhall.dedup.routing import Scorer
from townhall.domain.questions import Status
from townhall.store import merging
from townhall.store.db import SessionFactory
from townhall.store.tables import Question

log = logging.getLogger(__name__)

DECISIONS_PER_TRANSACTION = 32
SWEEP_SECONDS = 15.0
# pg_advisory_xact_lock keys: this namespace plus the event id.
_LOCK_NAMESPACE = 0x7448_0000_0000


async def lock_event_for_dedup(session: AsyncSession, event_id: int) -> None:
    """Serialise dedup decisions of one event across processes (SQLite's write lock already
    does: the transaction began IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_NAMESPACE + event_id}
        )


@dataclass(frozen=True)
class Embedded:
    questions: list[tuple[int, int]]  # (question id, event id)
    vectors: list[Vector]
    languages: list[str]


class DedupWorker:
    def __init__(
        self,
        embedder: Embedder,
        scorer: Scorer,
        *,
        read_sessions: SessionFactory,
        write_sessions: SessionFactory,
        notify: Callable[[int], Awaitable[None]],
        queue_size: int,
        batch_size: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        notify_rows: Callable[[int, set[int]], Awaitable[None]] | None = None,
        gather_seconds: float = 0.0,
    ) -> None:
        self.embedder = embedder
        self.scorer = scorer
        self._read = read_sessions
        self._write = write_sessions
        self._notify = notify
        # When decisions only changed the decided questions' own rows (no merge): which.
        self._notify_rows = notify_rows
        self._queue: asyncio.Queue[int] = asyncio.Queue(maxsize=queue_size)
        self._batch_size = batch_size
        # How long a lone question waits for others to be embedded and decided with it: the
        # model's CPU per question falls by a sixth from one to three at once, and each
        # decision transaction serves them all (docs/performance.md).
        self._gather_seconds = gather_seconds
        self._clock = clock
        self._indexes: dict[int, EventIndex] = {}
        self._index_locks: dict[int, asyncio.Lock] = {}
        self._decide_lock = asyncio.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedder")
        self._detector = ThreadPoolExecutor(max_workers=1, thread_name_prefix="language")
        self._tasks: list[asyncio.Task[None]] = []
        self._in_pipeline: set[int] = set()  # queued or being decided: the sweep leaves them
        self.memory = SeriesMemory(embedder.dimension, read_sessions)
        self.processed = 0

    def forget_answers(self) -> None:
        """A question was marked answered or put back: the series memories are rebuilt."""
        self.memory.forget()

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def submit(self, question_id: int) -> bool:
        try:
            self._queue.put_nowait(question_id)
        except asyncio.QueueFull:
            return False
        self._in_pipeline.add(question_id)
        return True

    @property
    def running(self) -> bool:
        """Started, and none of its tasks has ended (a dead task would be logged)."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name="dedup-worker"),
            asyncio.create_task(self._sweep_forever(), name="dedup-sweep"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._detector.shutdown(wait=False, cancel_futures=True)

    async def drain(self) -> None:
        """Wait until every queued question is decided (used by tests and the CLI)."""
        await self._queue.join()

    async def encode(self, texts: Sequence[str]) -> Matrix:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.embedder.encode, list(texts))

    async def detect(self, texts: Sequence[str]) -> list[str]:
        """Languages of `texts`, off the event loop (about 0.25 ms a question), in a thread of
        its own: the embedder's thread mostly waits for the model's process meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._detector, lambda: [detect_language(text) for text in texts]
        )

    async def _run(self) -> None:
        """Two stages, so the model embeds the next batch while this one is being decided."""
        embedded: asyncio.Queue[tuple[list[int], Embedded]] = asyncio.Queue(maxsize=1)

        async def embed_stage() -> None:
            while True:
                batch = await self._next_batch()
                try:
                    ready = await self.embed(batch)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("embedding questions %s failed; the sweep will retry", batch)
                    ready = Embedded([], [], [])
                await embedded.put((batch, ready))

        async def decide_stage() -> None:
            while True:
                batch, ready = await embedded.get()
                try:
                    await self.decide(ready)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("dedup of questions %s failed; the sweep will retry", batch)
                finally:
                    self._in_pipeline.difference_update(batch)
                    for _ in batch:
                        self._queue.task_done()

        async with asyncio.TaskGroup() as stages:
            stages.create_task(embed_stage())
            stages.create_task(decide_stage())

    async def _next_batch(self) -> list[int]:
        """What is queued, up to a batch. A question found alone first waits `gather_seconds`
        for others; one of many (a burst) does not wait for more."""
        loop = asyncio.get_running_loop()
        batch = [await self._queue.get()]
        alone = self._queue.empty()
        gather_until = loop.time() + self._gather_seconds
        while len(batch) < self._batch_size:
            if not self._queue.empty():
                batch.append(self._queue.get_nowait())
                continue
            left = gather_until - loop.time()
            if not alone or left <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), left))
            except TimeoutError:
                break
        return batch

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dedup sweep failed")
            await asyncio.sleep(SWEEP_SECONDS)

    async def sweep(self) -> int:
        """Decide every stored question still waiting (after a full queue or a restart) that
        is not already on its way through the pipeline."""
        async with self._read() as session:
            pending = await session.scalars(
                select(Question.id).where(Question.dedup_state == "pending").order_by(Question.id)
            )
            waiting = [
                question_id for question_id in pending if question_id not in self._in_pipeline
            ]
        for start in range(0, len(waiting), self._batch_size):
            await self.process(waiting[start : start + self._batch_size])
        return len(waiting)

    async def process(self, question_ids: Sequence[int]) -> None:
        await self.decide(await self.embed(question_ids))

    async def embed(self, question_ids: Sequence[int]) -> Embedded:
        """Embed the questions of `question_ids` that still wait (a thread of its own)."""
        async with self._read() as session:
            rows = (
                await session.execute(
                    select(Question.id, Question.event_id, Question.text)
                    .where(Question.id.in_(question_ids), Question.dedup_state == "pending")
                    .order_by(Question.id)
                )
            ).all()
        if not rows:
            return Embedded([], [], [])
        texts = [row.text for row in rows]
        # Languages are detected here rather than when the question is stored (the ask path
        # stays as fast as before, and the scorer needs them at this point anyway), in this
        # process while the model's process embeds: the two overlap instead of adding up.
        vectors, languages = await asyncio.gather(self.encode(texts), self.detect(texts))
        return Embedded([(row.id, row.event_id) for row in rows], list(vectors), languages)

    async def decide(self, ready: Embedded) -> None:
        by_event: dict[int, list[tuple[int, Vector, str]]] = {}
        for (question_id, event_id), vector, language in zip(
            ready.questions, ready.vectors, ready.languages, strict=True
        ):
            by_event.setdefault(event_id, []).append((question_id, vector, language))
        for event_id, items in by_event.items():
            # Short write transactions: on SQLite a decision holds the only write lock, and
            # votes and questions must not wait for a whole burst to be decided.
            rows: set[int] | None = set()
            for start in range(0, len(items), DECISIONS_PER_TRANSACTION):
                decided = await self._decide_event(
                    event_id, items[start : start + DECISIONS_PER_TRANSACTION]
                )
                rows = None if rows is None or decided is None else rows | decided
            if rows is not None and self._notify_rows is not None:
                await self._notify_rows(event_id, rows)
            else:
                await self._notify(event_id)
        self.processed += len(ready.questions)

    async def index_for(self, event_id: int) -> EventIndex:
        lock = self._index_locks.setdefault(event_id, asyncio.Lock())
        async with lock:
            index = self._indexes.get(event_id)
            if index is None:
                index = EventIndex(self.embedder.dimension)
                async with self._read() as session:
                    rows = await session.execute(
                        select(Question.id, Question.text, Question.embedding)
                        .where(Question.event_id == event_id, Question.embedding.is_not(None))
                        .order_by(Question.id)
                    )
                    foreign = [
                        question_id
                        for question_id, wording, blob in rows
                        if not add_stored(index, question_id, wording, blob)
                    ]
                    if foreign:
                        log.warning(
                            "event %s: %d questions were embedded by another model and are "
                            "not compared (first: %s)",
                            event_id,
                            len(foreign),
                            foreign[0],
                        )
                self._indexes[event_id] = index
            return index

    async def _decide_event(
        self, event_id: int, items: list[tuple[int, Vector, str]]
    ) -> set[int] | None:
        """Decide and store; the questions decided, or None when a decision changed other
        questions too (a merge, a common question gathered)."""
        decided: set[int] | None = set()
        index = await self.index_for(event_id)
        async with self._decide_lock, self._write() as session, session.begin():
            # One decider per event across every worker process and host: whoever holds the
            # event's lock first decides, the other then sees that decision before its own.
            await lock_event_for_dedup(session, event_id)
            await self._catch_up(session, index, event_id)
            # Load the batch at once and hold on to it (the session's identity map is weak:
            # objects nobody holds are dropped and would be read again one by one).
            loaded = {
                question.id: question
                for question in await session.scalars(
                    select(Question).where(Question.id.in_([item[0] for item in items]))
                )
            }
            # Each decision's own updates (embedding, state, suggestion) are flushed together
            # at commit; what later decisions read (groups) is flushed by the merge itself.
            with session.sync_session.no_autoflush:
                for question_id, vector, language in items:
                    question = loaded.get(question_id)
                    if question is None or question.dedup_state != "pending":
                        continue
                    await self._decide_one(session, index, question, vector)
                    question.language = language
                    question.embedding = to_bytes(vector)
                    question.dedup_state = "done"
                    index.add(question.id, question.text, vector)
                    if question.canonical_id is not None or question.common_id is not None:
                        decided = None  # merged, or gathered into a common question
                    elif decided is not None:
                        decided.add(question.id)
        return decided

    async def _catch_up(self, session: AsyncSession, index: EventIndex, event_id: int) -> None:
        """Add questions other workers decided since this index was built."""
        decided = await session.scalar(
            select(func.count(Question.id)).where(
                Question.event_id == event_id, Question.embedding.is_not(None)
            )
        )
        if decided == len(index):
            return
        known = index.ids()
        rows = await session.execute(
            select(Question.id, Question.text, Question.embedding)
            .where(Question.event_id == event_id, Question.embedding.is_not(None))
            .order_by(Question.id)
        )
        for question_id, wording, blob in rows:
            if question_id not in known:
                add_stored(index, question_id, wording, blob)

    async def _decide_one(
        self, session: AsyncSession, index: EventIndex, question: Question, vector: Vector
    ) -> None:
        found = await find_matches(
            session, self.scorer, index, question.text, vector, exclude=question.id, limit=1
        )
        match = found[0] if found else None
        if question.common_id is not None:
            if match is not None:
                decision = self.scorer.decide(match.score, question.text, match.text)
                await gather_into_common(session, question, match, decision, now=self._clock())
            return
        repeats = await self.memory.repeats(
            session, self.scorer, question.event_id, question.text, vector
        )
        if repeats:  # answered in an earlier event of the series: a flag, never a merge
            question.repeat_of_id, question.repeat_score = repeats[0].question_id, repeats[0].score
        if match is None:
            return
        decision = self.scorer.decide(match.score, question.text, match.text)
        mergeable = question.canonical_id is None and question.status != Status.HIDDEN.value
        if decision == "merge" and mergeable:
            target = await session.get(Question, match.question_id)
            assert target is not None
            try:
                await merging.merge(
                    session,
                    question,
                    target,
                    score=match.score,
                    actor="dedup",
                    action="auto_merge",
                    now=self._clock(),
                )
                return
            except merging.MergeRefused:
                # A moderator merged one of them meanwhile (the merge reads the groups anew
                # under its locks): leave the moderator a suggestion instead.
                pass
        if decision in ("merge", "suggest"):
            question.suggested_id = match.root_id
            question.similarity = match.score

    def score_stored(
        self, text_a: str, blob_a: bytes | None, text_b: str, blob_b: bytes | None
    ) -> float | None:
        """The scorer's verdict on two stored questions (None until both are embedded)."""
        if blob_a is None or blob_b is None:
            return None
        score = self.scorer.score(text_a, from_bytes(blob_a), [text_b], from_bytes(blob_b)[None, :])
        return round(float(score[0]), 4)

    async def similar(self, event_id: int, text: str, limit: int = 3) -> list[tuple[int, float]]:
        """Groups that look like `text` (for suggestions while typing): (root id, score)."""
        return (await self.similar_and_repeats(event_id, text, limit))[0]

    async def similar_and_repeats(
        self, event_id: int, text: str, limit: int = 3
    ) -> tuple[list[tuple[int, float]], list[Repeat]]:
        """`similar`, and the answered groups of earlier events of the series that `text`
        repeats (one more index search, in the series memory)."""
        index = await self.index_for(event_id)
        vector = (await self.encode([text]))[0]
        async with self._read() as session:
            found = await find_matches(session, self.scorer, index, text, vector, limit=limit)
            repeats = await self.memory.repeats(session, self.scorer, event_id, text, vector)
        # Each pair's own bands: a Spanish draft against an English question uses the
        # cross-language ones.
        similar = [
            (match.root_id, match.score)
            for match in found
            if self.scorer.decide(match.score, text, match.text) != "distinct"
        ]
        return similar, repeats
