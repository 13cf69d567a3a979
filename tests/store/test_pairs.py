"""Pairs bound as one parameter and joined as a table, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conftest import Database, seed
from sqlalchemy import Subquery, and_, select

from townhall.store.db import create_engine, session_factory
from townhall.store.pairs import INTEGER_STRING, STRING_STRING, PairsStatement, joined_to_pairs
from townhall.store.queries import event_by_slug
from townhall.store.tables import Participant, Question, Vote


@joined_to_pairs(INTEGER_STRING)
def _VOTES_OF_PAIRS(pairs: Subquery) -> Any:
    return (
        select(Vote.question_id, Vote.participant_id)
        .select_from(pairs)
        .join(Vote, and_(Vote.question_id == pairs.c.first, Vote.participant_id == pairs.c.second))
    )


async def test_pairs_table_finds_exactly_the_stored_pairs(database: Database) -> None:
    demo = await seed(database)
    engine = create_engine(database.url, schema=database.schema)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    async with session_factory(engine, write=True)() as session, session.begin():
        session.add_all([Participant(id=p, created_at=now) for p in ("p-1", "p-2", "p-'quoted\\")])
        event = await event_by_slug(session, demo.slug)
        assert event is not None
        questions = [
            Question(
                event_id=event.id,
                author_id="p-1",
                text=f"Question {n}?",
                status="open",
                created_at=now,
            )
            for n in range(2)
        ]
        session.add_all(questions)
        await session.flush()
        ids = [question.id for question in questions]
        session.add_all(
            [
                Vote(question_id=ids[0], participant_id="p-1", created_at=now),
                Vote(question_id=ids[1], participant_id="p-'quoted\\", created_at=now),
            ]
        )
    wanted = {(ids[0], "p-1"), (ids[0], "p-2"), (ids[1], "p-'quoted\\"), (999, "p-1")}

    async with session_factory(engine)() as session:
        found = set((await _VOTES_OF_PAIRS.execute(session, wanted)).all())
        again = set((await _VOTES_OF_PAIRS.execute(session, {(ids[1], "p-1")})).all())
        nothing = (
            await PairsStatement(lambda pairs: select(pairs.c.first), STRING_STRING).execute(
                session, set()
            )
        ).all()
    await engine.dispose()

    # The statement is built once per database; each execution binds its own pairs.
    assert (found, again, nothing) == ({(ids[0], "p-1"), (ids[1], "p-'quoted\\")}, set(), [])
