"""The sweep decides questions the pipeline missed, and leaves the ones on their way."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from conftest import Database, seed
from sqlalchemy import select

from townhall.dedup.embedder import Embedder
from townhall.dedup.routing import load_scorer
from townhall.dedup.worker import DedupWorker
from townhall.settings import Settings
from townhall.store.db import create_engine, session_factory
from townhall.store.queries import event_by_slug
from townhall.store.tables import Participant, Question


async def _no_notify(event_id: int) -> None:
    return None


async def test_sweep_skips_questions_already_in_the_pipeline(
    database: Database, embedder: Embedder, settings: Settings
) -> None:
    demo = await seed(database)
    engine = create_engine(database.url, schema=database.schema)
    writes = session_factory(engine, write=True)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    async with writes() as session, session.begin():
        event = await event_by_slug(session, demo.slug)
        assert event is not None
        session.add(Participant(id="asker", created_at=now))
        questions = [
            Question(event_id=event.id, author_id="asker", text=text, status="open", created_at=now)
            for text in ("How will you fund peacekeeping?", "Will you visit the Sahel first?")
        ]
        session.add_all(questions)
        await session.flush()
        for question in questions:
            question.root_id = question.id
    queued, missed = (question.id for question in questions)
    worker = DedupWorker(
        embedder,
        load_scorer(settings.dedup_thresholds),
        read_sessions=session_factory(engine),
        write_sessions=writes,
        notify=_no_notify,
        queue_size=8,
        batch_size=8,
    )

    assert worker.submit(queued)  # not started: it stays queued
    swept = await worker.sweep()

    async with session_factory(engine)() as session:
        states = dict((await session.execute(select(Question.id, Question.dedup_state))).all())
    await engine.dispose()
    assert (swept, states[queued], states[missed]) == (1, "pending", "done")


async def test_a_lone_question_waits_for_others_to_be_embedded_with_it(
    embedder: Embedder, settings: Settings, tmp_path: object
) -> None:
    """Within `gather_seconds` of a lone first question, later ones join its batch; after it,
    not; questions found waiting together do not wait for more."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/unused.db")
    worker = DedupWorker(
        embedder,
        load_scorer(settings.dedup_thresholds),
        read_sessions=session_factory(engine),
        write_sessions=session_factory(engine, write=True),
        notify=_no_notify,
        queue_size=8,
        batch_size=8,
        gather_seconds=0.3,
    )
    loop = asyncio.get_running_loop()
    worker.submit(1)
    loop.call_later(0.1, worker.submit, 2)
    loop.call_later(0.6, worker.submit, 3)

    first = await worker._next_batch()
    second = await worker._next_batch()
    for question_id in (4, 5):  # found waiting together: taken at once, no gathering
        worker.submit(question_id)
    loop.call_later(0.1, worker.submit, 6)
    third = await worker._next_batch()
    await engine.dispose()

    assert (first, second, third) == ([1, 2], [3], [4, 5])
