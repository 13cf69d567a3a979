"""The sweep decides questions the pipeline missed, and leaves the ones on their way."""

from __future__ import annotations

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
